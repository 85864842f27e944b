import { execFileSync } from 'node:child_process';
import { proto } from './modelFixtures';
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
  writeFileSync(path.join(root, 'models', 'fraud-v1.onnx'), fraudDetectorOnnx(64));
  writeFileSync(path.join(root, 'models', 'fraud-v2.onnx'), fraudDetectorOnnx(128));
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

/**
 * A real ONNX model, small: features[batch, 16] → Gemm → Relu → Gemm → Sigmoid → score[batch, 1],
 * with random float32 weights and `hidden` units, so the sample's versions have a signature, a
 * parameter count and operators to show. Written field by field from onnx.proto (ModelProto,
 * GraphProto, NodeProto, TensorProto, ValueInfoProto), IR version 8, opset 17.
 */
export function fraudDetectorOnnx(hidden: number): Buffer {
  const FLOAT = 1;
  // Little-endian float32 in [-0.5, 0.5), as raw_data stores them.
  const weights = (count: number) => {
    const bytes = Buffer.alloc(count * 4);
    for (let index = 0; index < count; index++) bytes.writeFloatLE(Math.random() - 0.5, index * 4);
    return bytes;
  };
  const tensor = (name: string, dims: number[]) =>
    proto.bytes(5, [...dims.map((dim) => proto.int(1, dim)), proto.int(2, FLOAT), proto.bytes(8, name), proto.bytes(9, weights(dims.reduce((a, b) => a * b, 1)))]);
  const node = (op: string, inputs: string[], output: string, attributes: Buffer[] = []) =>
    proto.bytes(1, [...inputs.map((input) => proto.bytes(1, input)), proto.bytes(2, output), proto.bytes(3, `${op.toLowerCase()}_${output}`), proto.bytes(4, op), ...attributes]);
  // AttributeProto transB = 1 (name 1, i 3, type 20 = INT): the weights are stored [out, in].
  const transB = proto.bytes(5, [proto.bytes(1, 'transB'), proto.int(3, 1), proto.int(20, 2)]);
  const valueInfo = (field: number, name: string, dims: (number | string)[]) =>
    proto.bytes(field, [proto.bytes(1, name), proto.bytes(2, proto.bytes(1, [proto.int(1, FLOAT), proto.bytes(2, dims.map((dim) => proto.bytes(1, typeof dim === 'number' ? proto.int(1, dim) : proto.bytes(2, dim))))]))]);
  const graph = [
    node('Gemm', ['features', 'w1', 'b1'], 'hidden', [transB]),
    node('Relu', ['hidden'], 'activated'),
    node('Gemm', ['activated', 'w2', 'b2'], 'logit', [transB]),
    node('Sigmoid', ['logit'], 'score'),
    proto.bytes(2, 'fraud_detector'),
    tensor('w1', [hidden, 16]),
    tensor('b1', [hidden]),
    tensor('w2', [1, hidden]),
    tensor('b2', [1]),
    valueInfo(11, 'features', ['batch', 16]),
    valueInfo(12, 'score', ['batch', 1]),
  ];
  return Buffer.concat([proto.int(1, 8), proto.bytes(2, 'model-registry-sample'), proto.bytes(3, '1.0'), proto.bytes(7, graph), proto.bytes(8, [proto.bytes(1, ''), proto.int(2, 17)])]);
}
