import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isRegistryError } from '../../../src/core/registryError';
import { sha256Hex } from '../../../src/core/sha256';
import { captureEnvironment, parseRequirements, readLockFiles } from '../../../src/lineage/environment';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

const FILES = {
  'requirements.txt': '# pinned\ntorch==2.3.1\nnumpy>=1.26 ; python_version >= "3.10"\nPillow[extra] == 10.0.0 --hash=sha256:abc\n-r other.txt\n-e .\n',
  'requirements-dev.txt': 'pytest===8.2.0\n',
  'poetry.lock': '[[package]]\nname = "Scikit_Learn"\nversion = "1.5.0"\n\n[[package]]\nname = "scipy"\nversion = "1.13.1"\n\n[metadata]\nlock-version = "2.0"\npython-versions = "^3.11"\n',
  'uv.lock': 'version = 1\nrequires-python = ">=3.12"\n\n[[package]]\nname = "transformers"\nversion = "4.44.0"\nsource = { registry = "https://pypi.org/simple" }\n',
  'Pipfile.lock': JSON.stringify({ _meta: { requires: { python_version: '3.10' } }, default: { pandas: { version: '==2.2.2' } }, develop: { black: { version: '==24.4.2' } } }),
  'environment.yml': 'name: train\ndependencies:\n  - python=3.11.9\n  - conda-forge::cudatoolkit=11.8=h6a678d5_0\n  - pip\n  - pip:\n    - lightning==2.3.0\n',
};

describe('environment capture', () => {
  it('reads the packages and Python version of every lock file, each with its sha256', () => {
    const root = writeFiles(tempFolder('env'), FILES);
    const records = readLockFiles(root);
    assert.deepEqual(
      records.map((record) => record.path),
      ['Pipfile.lock', 'environment.yml', 'poetry.lock', 'requirements-dev.txt', 'requirements.txt', 'uv.lock'],
    );
    const byPath = Object.fromEntries(records.map((record) => [record.path, record]));
    for (const record of records) assert.equal(record.sha256, sha256Hex(FILES[record.path as keyof typeof FILES]));
    assert.deepEqual(byPath['requirements.txt'].packages, { torch: '2.3.1', numpy: '>=1.26', pillow: '10.0.0' });
    assert.deepEqual(byPath['requirements-dev.txt'].packages, { pytest: '8.2.0' });
    assert.deepEqual(byPath['poetry.lock'], { path: 'poetry.lock', sha256: sha256Hex(FILES['poetry.lock']), packages: { 'scikit-learn': '1.5.0', scipy: '1.13.1' }, python: '^3.11' });
    assert.deepEqual(byPath['uv.lock'].packages, { transformers: '4.44.0' });
    assert.equal(byPath['uv.lock'].python, '>=3.12');
    assert.deepEqual(byPath['Pipfile.lock'].packages, { pandas: '2.2.2', black: '24.4.2' });
    assert.deepEqual(byPath['environment.yml'], {
      path: 'environment.yml',
      sha256: sha256Hex(FILES['environment.yml']),
      packages: { cudatoolkit: '11.8', pip: '', lightning: '2.3.0' },
      python: '3.11.9',
    });
  });

  it('records OS, architecture and CPU, and no GPU fields where nvidia-smi is missing', async function () {
    if (['/usr/bin/nvidia-smi', '/bin/nvidia-smi'].some((file) => existsSync(file))) this.skip();
    const root = writeFiles(tempFolder('env-machine'), { 'requirements.txt': 'torch==2.3.1\n' });
    const bin = tempFolder('no-nvidia');
    const environment = await withPath(bin, () => captureEnvironment(root));
    assert.equal(environment.arch, process.arch);
    assert.equal(environment.platform, process.platform);
    assert.equal(environment.cpus, os.cpus().length);
    assert.equal(typeof environment.cpu, 'string');
    assert.equal((environment.lockFiles as unknown[]).length, 1);
    assert.equal(environment.cuda, undefined);
    assert.equal(environment.gpus, undefined);
  });

  it("reads CUDA and driver versions from nvidia-smi's output", async () => {
    const bin = tempFolder('nvidia');
    writeFiles(bin, {
      'nvidia-smi': `#!/bin/sh\nif [ "$1" = "--query-gpu=name" ]; then echo "NVIDIA A100-SXM4-40GB"; exit 0; fi\necho "| NVIDIA-SMI 535.104.05   Driver Version: 535.104.05   CUDA Version: 12.2 |"\n`,
    });
    chmodSync(path.join(bin, 'nvidia-smi'), 0o755);
    const environment = await withPath(bin, () => captureEnvironment(tempFolder('env-gpu')));
    assert.equal(environment.cuda, '12.2');
    assert.equal(environment.gpuDriver, '535.104.05');
    assert.deepEqual(environment.gpus, ['NVIDIA A100-SXM4-40GB']);
  });

  it('records pip freeze of an interpreter when one is given, and says so when it fails', async function () {
    let python: string;
    try {
      python = execFileSync('python3', ['-c', 'import sys, pip; print(sys.executable)'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      this.skip();
    }
    this.timeout(60_000);
    const environment = await captureEnvironment(tempFolder('env-python'), { pythonInterpreter: python });
    const interpreter = environment.interpreter as { path: string; python: string; packages: Record<string, string> };
    assert.equal(interpreter.path, python);
    assert.match(interpreter.python, /^3\.\d+\.\d+/);
    assert.equal(environment.python, interpreter.python);
    assert.ok('pip' in interpreter.packages, JSON.stringify(interpreter.packages));
    await assert.rejects(captureEnvironment(tempFolder('env-python'), { pythonInterpreter: path.join(tempFolder('none'), 'python') }), (error) => isRegistryError(error, 'INVALID_INPUT'));
  });

  it('parses requirement lines with continuations, comments and markers', () => {
    assert.deepEqual(parseRequirements('a==1 \\\n  --hash=sha256:x\nb  # c==2\n--index-url https://x\n'), { a: '1', b: '' });
  });
});

/** Runs `work` with only `dir` (and the system folders) on PATH, so which helper programs exist is known. */
async function withPath<T>(dir: string, work: () => Promise<T>): Promise<T> {
  const saved = process.env.PATH;
  process.env.PATH = [dir, '/usr/bin', '/bin'].join(path.delimiter);
  try {
    return await work();
  } finally {
    process.env.PATH = saved;
  }
}
