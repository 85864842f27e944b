import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareSignatures } from '../../../src/core/signatureComparison';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt, onnxBytes, onnxValueInfo, proto } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer): string {
  const file = path.join(tempFolder('onnx'), name);
  writeFileSync(file, bytes);
  return file;
}

const CLASSIFIER = {
  producer: 'pytorch',
  opsets: [['', 17], ['com.microsoft', 1]] as [string, number][],
  nodes: ['Gemm', 'Relu', 'Gemm'],
  initializers: [
    { name: 'fc1.weight', dataType: 1, dims: [16, 8], rawBytes: 512 },
    { name: 'fc1.bias', dataType: 1, dims: [16], rawBytes: 64 },
  ],
  inputs: [
    { name: 'features', elemType: 1, dims: ['batch', 8] },
    { name: 'fc1.weight', elemType: 1, dims: [16, 8] },
  ],
  outputs: [{ name: 'logits', elemType: 1, dims: ['batch', 2] }],
  metadata: { author: 'ml-team' },
};

describe('ONNX inspector', () => {
  it('reads IR version, opsets, producer, operators, parameters and the signature with symbolic dims', async () => {
    const inspection = await inspectArtifact(write('model.onnx', onnxBytes(CLASSIFIER)));
    assert.equal(inspection.format, 'onnx');
    assert.equal(inspection.summary.irVersion, 8);
    assert.equal(inspection.summary.opsets, 'ai.onnx 17, com.microsoft 1');
    assert.equal(inspection.summary.producer, 'pytorch');
    assert.equal(inspection.summary.producerVersion, '2.3.0');
    assert.equal(inspection.summary.nodes, 3);
    assert.equal(inspection.summary.operators, 'Gemm×2, Relu×1');
    assert.equal(inspection.summary['metadata.author'], 'ml-team');
    assert.equal(inspection.parameterCount, 144);
    assert.equal(inspection.tensorCount, 2);
    assert.deepEqual(inspection.tensors?.[0], { name: 'fc1.weight', dtype: 'float32', shape: [16, 8] });
    // An initializer listed among the graph inputs (IR < 4 style) is a weight, not an input.
    assert.deepEqual(inspection.signature, {
      inputs: [{ name: 'features', elementType: 'float32', shape: ['batch', 8] }],
      outputs: [{ name: 'logits', elementType: 'float32', shape: ['batch', 2] }],
    });
  });

  it('gives signatures the comparison classifies: a changed input type is breaking', async () => {
    const before = await inspectArtifact(write('model.onnx', onnxBytes(CLASSIFIER)));
    const after = await inspectArtifact(write('model.onnx', onnxBytes({ ...CLASSIFIER, inputs: [{ name: 'features', elemType: 10, dims: ['batch', 8] }] })));
    const comparison = compareSignatures(before.signature, after.signature);
    assert.equal(comparison.breaking, true);
    assert.match(comparison.changes[0].message, /float32 → float16/);
  });

  it('counts the parameters of external-data initializers and names their files, reading no weights', async () => {
    const bytes = onnxBytes({ ...CLASSIFIER, initializers: [{ name: 'big', dataType: 1, dims: [50000, 4096], external: 'model.onnx.data' }] });
    const inspection = await inspectArtifact(write('model.onnx', bytes));
    assert.equal(inspection.parameterCount, 204_800_000);
    assert.equal(inspection.summary.externalData, 'model.onnx.data');
  });

  it('counts weights in Constant nodes and in If/Loop subgraphs, and lists every operator kind', async () => {
    const tensor = (name: string, dims: number[]) => [proto.bytes(1, dims.map((dim) => proto.varint(dim))), proto.int(2, 1), proto.bytes(8, name), proto.bytes(9, Buffer.alloc(4 * dims.reduce((a, b) => a * b, 1)))];
    const node = (op: string, ...attributes: Buffer[]) => proto.bytes(1, [proto.bytes(4, op), ...attributes]);
    const attribute = (name: string, ...fields: Buffer[]) => proto.bytes(5, [proto.bytes(1, name), ...fields]);
    // A Loop body two graphs deep: Constant value [3, 5] (15) and an initializer [7] (7).
    const loopBody = Buffer.concat([node('Constant', attribute('value', proto.bytes(5, tensor('c3', [3, 5])))), proto.bytes(5, tensor('body.w', [7])), node('Add')]);
    const thenBranch = Buffer.concat([node('Loop', attribute('body', proto.bytes(6, loopBody))), proto.bytes(5, tensor('then.w', [2, 2]))]);
    const elseBranch = Buffer.concat([node('Constant', attribute('value_floats', proto.bytes(7, Buffer.alloc(4 * 6)))), node('Identity')]);
    const ops = ['Conv', 'Relu', 'MatMul', 'Softmax', 'Gather', 'Shape', 'Reshape', 'Transpose', 'Concat', 'Slice', 'Squeeze', 'Unsqueeze', 'Cast'];
    const graph = Buffer.concat([
      ...ops.map((op) => node(op)),
      node('Constant', attribute('value', proto.bytes(5, tensor('c1', [4, 8])))),
      node('Constant', attribute('value_ints', proto.bytes(8, [proto.varint(1), proto.varint(2), proto.varint(300)]))),
      node('Constant', attribute('value_float', Buffer.from([0x15, 0, 0, 0x80, 0x3f]))),
      node('If', attribute('then_branch', proto.bytes(6, thenBranch)), attribute('else_branch', proto.bytes(6, elseBranch))),
      proto.bytes(5, tensor('w', [10, 10])),
      onnxValueInfo(11, { name: 'x', elemType: 1, dims: ['batch', 8] }),
      onnxValueInfo(12, { name: 'y', elemType: 1, dims: ['batch', 10] }),
    ]);
    const inspection = await inspectArtifact(write('control.onnx', Buffer.concat([proto.int(1, 8), proto.bytes(7, graph)])));
    // By construction: initializers 100 + 4 + 7; Constants 32 + 3 + 1 + 6 + 15.
    assert.equal(inspection.parameterCount, 100 + 4 + 7 + 32 + 3 + 1 + 6 + 15);
    assert.equal(inspection.summary.constantTensors, 5);
    assert.equal(inspection.summary.subgraphs, 3);
    assert.equal(inspection.summary.nodes, ops.length + 4 + 2 + 3);
    assert.equal(inspection.summary.operators, ['Constant×5', ...ops.map((op) => `${op}×1`), 'If×1', 'Identity×1', 'Loop×1', 'Add×1'].join(', '));
    assert.deepEqual(inspection.signature, { inputs: [{ name: 'x', elementType: 'float32', shape: ['batch', 8] }], outputs: [{ name: 'y', elementType: 'float32', shape: ['batch', 10] }] });
  });

  const good = onnxBytes(CLASSIFIER);
  const corrupt: [string, Buffer, RegExp][] = [
    ['a model cut inside its weights', good.subarray(0, 300), /past the end/],
    ['a model cut inside a varint', Buffer.concat([good.subarray(0, 2), Buffer.from([0x08, 0xff])]), /truncated\?/],
    ['text that is not protobuf', Buffer.from('onnx weights'), /wire type 7 at offset 0 is not valid protobuf/],
    ['protobuf without a graph', Buffer.concat([proto.int(1, 8), proto.bytes(2, 'x')]), /no graph or no IR version/],
  ];
  for (const [what, bytes, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      const file = write('model.onnx', bytes);
      await assertCorrupt(file, 'onnx', message);
    });
  }
});
