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

  it('keeps 64-bit integer metadata exact: past 2^53 as decimal digits, within it as numbers', async () => {
    const file = write('model.gguf', ggufBytes({
      'general.architecture': { type: 'string', value: 'llama' },
      'llama.context_length': { type: 'u64', value: 131_072n },
      'x.big': { type: 'u64', value: 2n ** 53n + 1n },
      'x.max': { type: 'u64', value: 2n ** 64n - 1n },
      'x.min': { type: 'i64', value: -(2n ** 63n) },
      'x.negative': { type: 'i64', value: -5n },
    }, []));
    const { summary } = await inspectArtifact(file);
    // 2^53 + 1 = 9007199254740993, 2^64 - 1 = 18446744073709551615, -2^63 = -9223372036854775808 (a Number would round them).
    assert.equal(summary['metadata.x.big'], '9007199254740993');
    assert.equal(summary['metadata.x.max'], '18446744073709551615');
    assert.equal(summary['metadata.x.min'], '-9223372036854775808');
    assert.equal(summary['metadata.x.negative'], -5);
    assert.equal(summary.contextLength, 131_072);
  });

  it('refuses an alignment that is not a power of two (0 made every offset NaN)', async () => {
    await assertCorrupt(write('model.gguf', ggufBytes({ 'general.alignment': { type: 'u32', value: 0 } }, [{ name: 'w', type: 0, shape: [4], bytes: 16 }])), 'gguf', /general\.alignment is 0, not a power of two/);
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
