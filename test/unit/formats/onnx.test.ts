import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareSignatures } from '../../../src/core/signatureComparison';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt, onnxBytes, proto } from '../../support/modelFixtures';
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
