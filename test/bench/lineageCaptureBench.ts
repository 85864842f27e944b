import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, gitRepository } from '../support/gitRepository';
import { printTable } from './benchTable';
import { makeFile, repeated, timed } from './fileRegistrationBench';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const MIB = 1024 * 1024;

/**
 * What lineage capture costs a registration: `mreg register --dry-run` (the whole CLI: git,
 * discovery, environment, hashing a 1 MiB model) in a clean and in a dirty repository, against
 * the CLI's start alone (`mreg models`) and the git commands a person would run for the same facts
 * (`git status` and `git diff HEAD --binary | sha256sum`). The dirty repository has a changed
 * binary of `diffMiB`. Peak memory is the largest process's, git's included.
 */
export function benchLineageCapture(files: number, diffMiB: number): void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-lineage-'));
  try {
    const sources: Record<string, string> = { 'params.yaml': 'lr: 0.01\n', 'metrics.json': '{"auc": 0.9}', 'requirements.txt': 'torch==2.3.1\nnumpy==2.0.0\n' };
    for (let index = 0; index < files; index++) sources[`src/module${index}.py`] = `value = ${index}\n`;
    const repo = gitRepository(root, sources);
    makeFile(path.join(repo, 'weights.bin'), diffMiB * MIB);
    makeFile(path.join(repo, 'model.onnx'), MIB);
    git(repo, 'add', 'weights.bin');
    git(repo, 'commit', '--quiet', '--message', 'weights');
    const rows: (string | number)[][] = [];
    const measure = (scenario: string): void => {
      const capture = repeated(() => timed(process.execPath, [CLI, 'register', 'bench', 'model.onnx', '--dry-run', '--json'], repo));
      const start = repeated(() => timed(process.execPath, [CLI, 'models', '--json'], repo));
      const peer = repeated(() => timed('sh', ['-c', 'git status --porcelain >/dev/null && git diff HEAD --binary | sha256sum'], repo));
      rows.push([scenario, capture.seconds.toFixed(2), capture.peakMiB.toFixed(0), start.seconds.toFixed(2), peer.seconds.toFixed(2), peer.peakMiB.toFixed(0)]);
    };
    measure(`clean, ${files} files`);
    for (let index = 0; index < files; index += 4) writeFileSync(path.join(repo, `src/module${index}.py`), `value = -${index}\n`);
    mkdirSync(path.join(repo, 'scratch'), { recursive: true });
    writeFileSync(path.join(repo, 'scratch', 'notes.txt'), 'untracked\n');
    makeFile(path.join(repo, 'weights.bin'), diffMiB * MIB);
    measure(`dirty: ${Math.ceil(files / 4)} changed files + ${diffMiB} MiB binary changed`);
    printTable('Lineage capture (median of 3 runs, seconds; peak memory MiB)', ['repository', 'mreg register --dry-run', 'peak', 'mreg models (CLI start)', 'git status + diff --binary | sha256sum', 'peak'], rows);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
