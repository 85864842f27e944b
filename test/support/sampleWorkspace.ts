import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A small project as a user would have it: a git repository with weight files, a tokenizer folder,
 * params and metrics. `npm start` builds one and registers it with the real CLI; the end-to-end
 * tests of the extension use the same workspace.
 */
export function createSampleWorkspace(root: string): string {
  mkdirSync(path.join(root, 'models', 'tokenizer'), { recursive: true });
  mkdirSync(path.join(root, 'data'), { recursive: true });
  writeFileSync(path.join(root, 'models', 'fraud-v1.onnx'), randomBytes(256 * 1024));
  writeFileSync(path.join(root, 'models', 'fraud-v2.onnx'), randomBytes(256 * 1024));
  writeFileSync(path.join(root, 'models', 'tokenizer', 'vocab.json'), JSON.stringify({ '[PAD]': 0, '[UNK]': 1, fraud: 2 }));
  writeFileSync(path.join(root, 'data', 'train.csv'), 'amount,merchant,label\n12.5,42,0\n999.0,7,1\n');
  writeFileSync(path.join(root, 'params.json'), JSON.stringify({ lr: 0.001, epochs: 10 }, null, 2));
  writeFileSync(path.join(root, 'metrics.json'), JSON.stringify({ auc: 0.93, latency_ms: 11 }, null, 2));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Sample', '-c', 'user.email=sample@example.com', ...args], { cwd: root });
  if (!existsSync(path.join(root, '.git'))) {
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-qm', 'Train the fraud detector');
  }
  return root;
}

export const BUILT_CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

/** Two versions of fraud-detector registered through the real CLI, the second in Production. */
export function registerSampleVersions(root: string, stdio: 'inherit' | 'ignore' = 'ignore'): void {
  const mreg = (...args: string[]) => execFileSync(process.execPath, [BUILT_CLI, ...args], { cwd: root, stdio });
  mreg('register', 'fraud-detector', 'models/fraud-v1.onnx', 'models/tokenizer', '--metric', 'auc=0.91', '--metric-direction', 'auc=max', '--param', 'lr=0.001', '--data', 'data/train.csv', '--semver', '1.0.0');
  mreg('register', 'fraud-detector', 'models/fraud-v2.onnx', 'models/tokenizer', '--metric', 'auc=0.93', '--metric-direction', 'auc=max', '--param', 'lr=0.0005', '--data', 'data/train.csv', '--semver', '1.1.0');
  mreg('promote', 'fraud-detector/2', 'production', '--reason', 'better AUC');
}

/** `npm start`'s workspace, `sample-workspace/`: two versions registered and one in Production. */
export function prepareSampleWorkspace(): string {
  const root = path.resolve(__dirname, '..', '..', 'sample-workspace');
  const fresh = !existsSync(root);
  createSampleWorkspace(root);
  if (fresh) registerSampleVersions(root, 'inherit');
  execFileSync(process.execPath, [BUILT_CLI, 'versions', 'fraud-detector'], { cwd: root, stdio: 'inherit' });
  const cli = path.relative(root, BUILT_CLI);
  console.log(`\nThe registry of ${root} is ready. Try, from that folder:\n  node ${cli} show fraud-detector@production\n  node ${cli} resolve fraud-detector@production --json\n`);
  return root;
}
