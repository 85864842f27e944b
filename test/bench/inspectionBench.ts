import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ggufBytes, onnxValueInfo, proto } from '../support/modelFixtures';
import { printTable, verdict } from './benchTable';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const GIB = 1024 ** 3;
const TARGET_MIB = 256;

/** Writes `head` at offset 0 of a sparse file of `size` bytes: the weights are holes, read as zeros. */
function sparseFile(file: string, size: number, head: Buffer): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head, 0, head.length, 0);
    ftruncateSync(fd, size);
  } finally {
    closeSync(fd);
  }
}

/** The header of a safetensors file whose one tensor fills the rest of `size` bytes (padded with spaces, as the format allows). */
function safetensorsHeader(size: number): Buffer {
  const headerBytes = 256;
  const elements = Math.floor((size - 8 - headerBytes) / 4);
  const json = JSON.stringify({ __metadata__: { format: 'pt' }, 'model.weight': { dtype: 'F32', shape: [elements], data_offsets: [0, elements * 4] } });
  const length = Buffer.alloc(8);
  const padded = Buffer.from(json.padEnd(size - 8 - elements * 4, ' '));
  length.writeBigUInt64LE(BigInt(padded.length));
  return Buffer.concat([length, padded]);
}

/**
 * The head of an ONNX model over 2 GB: the graph is the model's last field and one initializer the
 * graph's last, so its raw_data runs to the end of the file (left sparse). Returns the head and
 * the raw_data length.
 */
function onnxHead(size: number): { head: Buffer; rawBytes: number } {
  const rawBytes = size - 4096 - (size % 4);
  const signature = Buffer.concat([
    onnxValueInfo(11, { name: 'pixels', elemType: 1, dims: ['batch', 3, 224, 224] }),
    onnxValueInfo(12, { name: 'logits', elemType: 1, dims: ['batch', 1000] }),
  ]);
  const initializerFields = Buffer.concat([proto.bytes(1, [proto.varint(rawBytes / 4)]), proto.int(2, 1), proto.bytes(8, 'weight'), proto.varint((9 << 3) | 2), proto.varint(rawBytes)]);
  const initializerLength = initializerFields.length + rawBytes;
  const graphHead = Buffer.concat([signature, proto.varint((5 << 3) | 2), proto.varint(initializerLength), initializerFields]);
  const graphLength = graphHead.length + rawBytes;
  const head = Buffer.concat([proto.int(1, 8), proto.bytes(2, 'pytorch'), proto.bytes(8, [proto.bytes(1, ''), proto.int(2, 17)]), proto.varint((7 << 3) | 2), proto.varint(graphLength), graphHead]);
  return { head, rawBytes };
}

/** A GGUF file whose one F32 tensor fills the file. */
function ggufHead(size: number): Buffer {
  const elements = Math.floor((size - 1024 * 1024) / 4);
  return ggufBytes(
    { 'general.architecture': { type: 'string', value: 'llama' }, 'llama.context_length': { type: 'u32', value: 8192 }, 'general.file_type': { type: 'u32', value: 0 }, 'tokenizer.ggml.tokens': { type: 'strings', value: Array.from({ length: 32000 }, (_, i) => `token${i}`) } },
    [{ name: 'token_embd.weight', type: 0, shape: [elements], bytes: 0 }],
  );
}

function inspectTimed(file: string): { seconds: number; peakMiB: number; format: string; parameters: number } {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, 'inspect', '--json', file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`mreg inspect ${file} failed: ${result.stderr}`);
  const [seconds, kib] = result.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const [inspection] = JSON.parse(result.stdout) as { format: string; parameterCount?: number }[];
  return { seconds, peakMiB: kib / 1024, format: inspection.format, parameters: inspection.parameterCount ?? 0 };
}

/** `mreg inspect` on sparse multi-GB weight files: time and peak memory against the 256 MB target. */
export async function benchInspection(gib: number): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-inspect-'));
  try {
    const size = Math.round(gib * GIB);
    const files: [string, () => void][] = [
      ['model.safetensors', () => sparseFile(path.join(dir, 'model.safetensors'), size, safetensorsHeader(size))],
      ['model.gguf', () => sparseFile(path.join(dir, 'model.gguf'), size, ggufHead(size))],
      ['model.onnx', () => {
        const { head, rawBytes } = onnxHead(size);
        sparseFile(path.join(dir, 'model.onnx'), head.length + rawBytes, head);
      }],
    ];
    const rows: (string | number)[][] = [];
    for (const [name, make] of files) {
      make();
      const run = inspectTimed(path.join(dir, name));
      rows.push([name, `${gib} GiB`, run.format, run.parameters.toLocaleString('en-US'), run.seconds.toFixed(2), run.peakMiB.toFixed(0), TARGET_MIB, verdict(run.peakMiB < TARGET_MIB)]);
      rmSync(path.join(dir, name));
    }
    // Opcodes, not tensors: a pickled list of 3 million floats, 27 MB of BINFLOAT opcodes.
    const floats = 3_000_000;
    const pickle = Buffer.alloc(4 + floats * 9 + 2);
    pickle.write('\x80\x04](', 0, 'latin1');
    for (let i = 0; i < floats; i++) pickle.write('G', 4 + i * 9, 'latin1');
    pickle.write('e.', 4 + floats * 9, 'latin1');
    writeFileSync(path.join(dir, 'floats.pkl'), pickle);
    const scan = inspectTimed(path.join(dir, 'floats.pkl'));
    rows.push(['floats.pkl', '27 MB', scan.format, `${floats.toLocaleString('en-US')} opcodes`, scan.seconds.toFixed(2), scan.peakMiB.toFixed(0), TARGET_MIB, verdict(scan.peakMiB < TARGET_MIB)]);
    printTable('mreg inspect on sparse weight files (the whole process, Node included)', ['FILE', 'SIZE', 'FORMAT', 'PARAMETERS', 'SECONDS', 'PEAK MiB', 'TARGET MiB', 'MEMORY'], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
