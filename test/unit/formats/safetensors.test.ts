import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt, safetensorsBytes } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer): string {
  const file = path.join(tempFolder('safetensors'), name);
  writeFileSync(file, bytes);
  return file;
}

const TENSORS = [
  { name: 'embed.weight', dtype: 'F32', shape: [10, 4] },
  { name: 'head.bias', dtype: 'BF16', shape: [3] },
];

describe('safetensors inspector', () => {
  it('lists tensors with dtype and shape, counts parameters and keeps __metadata__', async () => {
    const inspection = await inspectArtifact(write('model.safetensors', safetensorsBytes(TENSORS, { format: 'pt', epoch: '3' })));
    assert.equal(inspection.format, 'safetensors');
    assert.equal(inspection.parameterCount, 43);
    assert.equal(inspection.tensorCount, 2);
    assert.deepEqual(inspection.tensors, TENSORS);
    assert.equal(inspection.summary['metadata.format'], 'pt');
    assert.equal(inspection.summary['metadata.epoch'], '3');
    assert.equal(inspection.summary.dtypes, 'F32×1, BF16×1');
    assert.deepEqual(inspection.findings, []);
  });

  it('recognises a safetensors file by its bytes when the name says nothing', async () => {
    const inspection = await inspectArtifact(write('weights', safetensorsBytes(TENSORS)));
    assert.equal(inspection.format, 'safetensors');
    assert.equal(inspection.parameterCount, 43);
  });

  const corrupt: [string, (bytes: Buffer) => Buffer, RegExp][] = [
    ['cut inside the header', (bytes) => bytes.subarray(0, 20), /header claims \d+ bytes but the file holds only 12/],
    ['cut inside the tensor data', (bytes) => bytes.subarray(0, bytes.length - 3), /tensor 'head.bias' lies at bytes/],
    ['shorter than the length field', (bytes) => bytes.subarray(0, 5), /shorter than the 8-byte header length/],
    ['an absurd header length', (bytes) => { const copy = Buffer.from(bytes); copy.writeBigUInt64LE(0xffffffffffn); return copy; }, /header claims 1099511627775 bytes but the file holds only/],
    ['a header that is not JSON', (bytes) => { const copy = Buffer.from(bytes); copy[9] = 0x21; return copy; }, /header is not valid JSON/],
    ['a shape that does not fit its bytes', (bytes) => Buffer.from(bytes.toString('latin1').replace('[10,4]', '[10,5]'), 'latin1'), /needs 200 bytes but has 160/],
  ];
  for (const [what, damage, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      const file = write('broken.safetensors', damage(safetensorsBytes(TENSORS)));
      await assertCorrupt(file, 'safetensors', message);
    });
  }

  it('says so when the file is a Git LFS pointer', async () => {
    const file = write('model.safetensors', Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n'));
    await assert.rejects(inspectArtifact(file), /Git LFS pointer, not the model itself: run 'git lfs pull'/);
  });

  it('gives format unknown, and nothing else, for a file it does not know', async () => {
    assert.deepEqual(await inspectArtifact(write('notes.txt', Buffer.from('hello'))), { format: 'unknown', summary: {}, findings: [] });
  });
});

describe('format detection by content', () => {
  it('treats a file whose first bytes only look like a format as unknown, not corrupt', async () => {
    const file = path.join(tempFolder('guess'), 'shard-00001.bin');
    writeFileSync(file, Buffer.concat([Buffer.from([0x80, 0x02, 0x7d]), Buffer.alloc(100, 0xff)]));
    assert.equal((await inspectArtifact(file)).format, 'unknown');
  });
});
