import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { judgeImport } from '../../../src/formats/pickleScan';
import { assertCorrupt, OS_SYSTEM_PICKLE, STACK_GLOBAL_EXEC_PICKLE, TORCH_STATE_DICT_PICKLE, pickleBytes, shortUnicode, zipBytes } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer): string {
  const file = path.join(tempFolder('pickle'), name);
  writeFileSync(file, bytes);
  return file;
}

describe('pickle scanner', () => {
  it('finds nothing to report in a PyTorch state dict, and lists its imports', async () => {
    const inspection = await inspectArtifact(write('model.pkl', TORCH_STATE_DICT_PICKLE));
    assert.equal(inspection.format, 'pickle');
    assert.deepEqual(inspection.findings, []);
    assert.equal(inspection.summary.pickleImports, 'collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.FloatStorage');
    assert.equal(inspection.summary.pickleCalls, 3);
    assert.equal(inspection.summary.pickleScanComplete, true);
  });

  it('reports GLOBAL os.system as a high-severity finding, without running it', async () => {
    const file = write('model.pkl', OS_SYSTEM_PICKLE);
    const inspection = await inspectArtifact(file);
    assert.deepEqual(inspection.findings, [{ severity: 'high', code: 'pickle.unsafe-import', message: 'imports os.system (unpickling it can run commands or code)', where: 'offset 2' }]);
    assert.ok(!existsSync(path.join(path.dirname(file), 'pwned')) && !existsSync('pwned'));
  });

  it('resolves STACK_GLOBAL names pushed and memoized before it (protocol 4)', async () => {
    const inspection = await inspectArtifact(write('model.joblib', STACK_GLOBAL_EXEC_PICKLE));
    assert.equal(inspection.format, 'joblib');
    assert.equal(inspection.findings.length, 1);
    assert.equal(inspection.findings[0].message, 'imports builtins.exec (unpickling it can run commands or code)');
  });

  it('resolves STACK_GLOBAL names fetched back from the memo', async () => {
    const bytes = pickleBytes('\x80\x04', shortUnicode('subprocess'), shortUnicode('x'), '0', shortUnicode('Popen'), '0h\x00h\x02\x93', ')R.');
    const inspection = await inspectArtifact(write('model.pkl', bytes));
    assert.deepEqual(inspection.findings.map((finding) => finding.message), ['imports subprocess.Popen (unpickling it can run commands or code)']);
  });

  it('reads protocol 0 pickles, whose byte strings are lines of any length', async () => {
    const bytes = pickleBytes(`(S'${'a'.repeat(100_000)}'\np0\ncposix\nsystem\np1\n(S'id'\ntR.`);
    const inspection = await inspectArtifact(write('model.pkl', bytes));
    assert.deepEqual(inspection.findings.map((finding) => finding.message), ['imports posix.system (unpickling it can run commands or code)']);
  });

  it('counts memo entries of every kind, as NumPy arrays pickled at protocol 4 need', async () => {
    // EMPTY_DICT is memo 0; 'numpy' memo 1; BINGET 1 fetches it back for numpy.dtype.
    const bytes = pickleBytes('\x80\x04}\x94', shortUnicode('numpy'), shortUnicode('ndarray'), '\x93\x94', 'h\x01', shortUnicode('dtype'), '\x93\x94', '\x86\x94.');
    const inspection = await inspectArtifact(write('array.pkl', bytes));
    assert.equal(inspection.summary.pickleImports, 'numpy.ndarray, numpy.dtype');
    assert.deepEqual(inspection.findings, []);
  });

  it('flags a STACK_GLOBAL whose names are not literals', async () => {
    const bytes = pickleBytes('\x80\x04', shortUnicode('os'), ')\x93)R.');
    const inspection = await inspectArtifact(write('model.pkl', bytes));
    assert.deepEqual(inspection.findings.map((finding) => finding.code), ['pickle.dynamic-import']);
  });

  it('reports imports outside the allowlist as medium, and judges the usual suspects high', async () => {
    const inspection = await inspectArtifact(write('model.pkl', pickleBytes('\x80\x02cmylib.models\nNet\n)R.')));
    assert.deepEqual(inspection.findings.map((finding) => [finding.severity, finding.code]), [['medium', 'pickle.unknown-import']]);
    for (const [module, name] of [['posix', 'system'], ['nt', 'system'], ['builtins', 'eval'], ['__builtin__', 'getattr'], ['socket', 'create_connection'], ['shutil', 'rmtree'], ['importlib', 'import_module'], ['runpy', 'run_path'], ['pty', 'spawn'], ['sys', 'modules'], ['operator', 'methodcaller']]) {
      assert.equal(judgeImport(module, name), 'high', `${module}.${name}`);
    }
    for (const [module, name] of [['numpy.core.multiarray', '_reconstruct'], ['builtins', 'set'], ['sklearn.linear_model._logistic', 'LogisticRegression'], ['torch', 'BFloat16Storage']]) {
      assert.equal(judgeImport(module, name), undefined, `${module}.${name}`);
    }
  });

  it('scans the pickle inside a PyTorch zip checkpoint and lists the archive', async () => {
    const file = write('model.pt', zipBytes({ 'archive/data.pkl': OS_SYSTEM_PICKLE, 'archive/data/0': Buffer.alloc(24), 'archive/version': '3\n', 'archive/byteorder': 'little' }));
    const inspection = await inspectArtifact(file);
    assert.equal(inspection.format, 'pytorch');
    assert.equal(inspection.summary.archiveMembers, 4);
    assert.equal(inspection.summary.storages, 1);
    assert.equal(inspection.summary.storageBytes, 24);
    assert.deepEqual(inspection.findings.map((finding) => [finding.code, finding.where]), [['pickle.unsafe-import', 'archive/data.pkl offset 2']]);
  });

  it('reads a legacy PyTorch file: several pickles, then raw storage bytes', async () => {
    const magic = pickleBytes('\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.');
    const file = write('model.pth', Buffer.concat([magic, pickleBytes('\x80\x02M\xe9\x03.'), TORCH_STATE_DICT_PICKLE, Buffer.from([0x06, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(24)]));
    const inspection = await inspectArtifact(file);
    assert.equal(inspection.format, 'pytorch');
    assert.equal(inspection.summary.layout, 'legacy pickle');
    assert.equal(inspection.summary.pickleScanComplete, true);
    assert.deepEqual(inspection.findings, []);
  });

  const corrupt: [string, string, Buffer, RegExp][] = [
    ['a pickle cut mid-opcode', 'model.pkl', OS_SYSTEM_PICKLE.subarray(0, 20), /not a readable pickle file: it ends at byte 20/],
    ['a pickle with no STOP', 'model.pkl', TORCH_STATE_DICT_PICKLE.subarray(0, TORCH_STATE_DICT_PICKLE.length - 1), /truncated/],
    ['bytes that are no pickle', 'model.pkl', Buffer.from('\x80\x02\xff\xff', 'latin1'), /byte 0xff at offset 2 is not a pickle opcode/],
    ['a length past the end', 'model.pkl', pickleBytes('\x80\x02X\xff\xff\xff\x00abc.'), /truncated/],
    ['a truncated PyTorch zip', 'model.pt', zipBytes({ 'archive/data.pkl': TORCH_STATE_DICT_PICKLE }).subarray(0, 60), /not a readable pytorch file: it is not a readable zip archive/],
    ['a zip with no data.pkl', 'model.pt', zipBytes({ 'readme.txt': 'hi' }), /holds no data\.pkl/],
    ['a .pt that is neither zip nor pickle', 'model.pt', Buffer.from('hello world, not a model'), /not a readable pytorch file/],
    ['an empty pickle', 'model.pkl', Buffer.alloc(0), /it is empty/],
  ];
  for (const [what, name, bytes, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      const file = write(name, bytes);
      await assertCorrupt(file, name.endsWith('.pt') ? 'pytorch' : 'pickle', message);
    });
  }
});
