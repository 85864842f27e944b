import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt } from '../../support/modelFixtures';
import { tfliteModel } from '../../support/tfliteFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer): string {
  const file = path.join(tempFolder('tflite'), name);
  writeFileSync(file, bytes);
  return file;
}

describe('TFLite inspector', () => {
  it('reads a hand-made model: operators, weights from constant buffers, the signature', async () => {
    const inspection = await inspectArtifact(write('model.tflite', tfliteModel(3)));
    assert.equal(inspection.format, 'tflite');
    assert.deepEqual([inspection.summary.description, inspection.summary.operators, inspection.summary.tensors, inspection.summary.buffers], ['hand-made', 'CONV_2D×1', 3, 2]);
    // Three tensors of [2, 3] whose buffer holds data.
    assert.equal(inspection.parameterCount, 18);
    assert.equal(inspection.tensorCount, 3);
    assert.deepEqual(inspection.signature, { inputs: [{ name: 'w', elementType: 'float32', shape: [2, 3] }], outputs: [{ name: 'w', elementType: 'float32', shape: [2, 3] }] });
  });

  it('recognises TFLite by its identifier whatever the name', async () => {
    assert.equal((await inspectArtifact(write('weights.bin', tfliteModel(1)))).format, 'tflite');
  });

  it('stops a model claiming endless tensors at the entries limit', async () => {
    const inspection = await inspectArtifact(write('many.tflite', tfliteModel(5000)), { entries: 1000 });
    assert.deepEqual(inspection.findings.map((finding) => finding.where), ['limit entries']);
  });

  const real = readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'models', 'face_detection_short_range.tflite'));
  const rootPastEnd = Buffer.from(real);
  rootPastEnd.writeUInt32LE(real.length + 100, 0);
  const corrupt: [string, Buffer, RegExp][] = [
    ['a model cut short', real.subarray(0, 20_000), /past the end of the 20000-byte file/],
    ['a root offset past the end', rootPastEnd, /points to byte \d+, past the end/],
    ['a vector claiming a billion subgraphs', tfliteModel(1, 1 << 30), /claims 1073741824 elements, more than the file holds/],
    ['a FlatBuffer of another schema', Buffer.concat([Buffer.from([8, 0, 0, 0]), Buffer.from('BFBS'), Buffer.alloc(32)]), /identifier is "BFBS", not "TFL3"/],
  ];
  for (const [what, bytes, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      await assertCorrupt(write('model.tflite', bytes), 'tflite', message);
    });
  }
});
