import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt, ggufBytes } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer): string {
  const file = path.join(tempFolder('gguf'), name);
  writeFileSync(file, bytes);
  return file;
}

const LLAMA = ggufBytes(
  {
    'general.architecture': { type: 'string', value: 'llama' },
    'general.name': { type: 'string', value: 'tiny-llama' },
    'general.file_type': { type: 'u32', value: 15 },
    'llama.context_length': { type: 'u32', value: 4096 },
    'llama.rope.freq_base': { type: 'f32', value: 10000 },
    'tokenizer.ggml.tokens': { type: 'strings', value: ['<s>', '</s>', 'hello'] },
    'tokenizer.ggml.token_type': { type: 'i32s', value: [3, 3, 1] },
  },
  [
    { name: 'token_embd.weight', type: 12, shape: [256, 3], bytes: 432 },
    { name: 'output_norm.weight', type: 0, shape: [256], bytes: 1024 },
  ],
);

describe('GGUF inspector', () => {
  it('reads architecture, context length, file type, tensor and parameter counts', async () => {
    const inspection = await inspectArtifact(write('model.gguf', LLAMA));
    assert.equal(inspection.format, 'gguf');
    assert.equal(inspection.summary.architecture, 'llama');
    assert.equal(inspection.summary.name, 'tiny-llama');
    assert.equal(inspection.summary.contextLength, 4096);
    assert.equal(inspection.summary.fileType, 'Q4_K_M');
    assert.equal(inspection.summary.tensorTypes, 'Q4_K×1, F32×1');
    assert.equal(inspection.summary['metadata.tokenizer.ggml.tokens'], '[3 × string]');
    assert.equal(inspection.summary['metadata.llama.rope.freq_base'], 10000);
    assert.equal(inspection.tensorCount, 2);
    assert.equal(inspection.parameterCount, 1024);
    assert.deepEqual(inspection.tensors?.[0], { name: 'token_embd.weight', dtype: 'Q4_K', shape: [256, 3] });
  });

  it('recognises GGUF by its magic whatever the name', async () => {
    assert.equal((await inspectArtifact(write('weights.bin', LLAMA))).format, 'gguf');
  });

  const corrupt: [string, Buffer, RegExp][] = [
    ['a file cut inside the metadata', LLAMA.subarray(0, 100), /truncated\?/],
    ['a file cut inside the tensor data', LLAMA.subarray(0, LLAMA.length - 1100), /its last tensor starts at byte \d+, past the end/],
    ['an unknown version', Buffer.concat([Buffer.from('GGUF'), Buffer.from([9, 0, 0, 0]), LLAMA.subarray(8)]), /GGUF version 9/],
    ['an impossible metadata count', Buffer.concat([LLAMA.subarray(0, 16), Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])]), /holds 9223372036854775807, which no real file has/],
  ];
  for (const [what, bytes, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      const file = write('model.gguf', bytes);
      await assertCorrupt(file, 'gguf', message);
    });
  }
});
