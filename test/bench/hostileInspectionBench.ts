import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, createDeflateRaw } from 'node:zlib';
import { deflatedZip, deflatedZipBytes, ggufBytes, onnxValueInfo, proto, safetensorsWithHeader, zipBytes } from '../support/modelFixtures';
import { tfliteModel } from '../support/tfliteFixtures';
import { printTable, verdict } from './benchTable';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const TARGET_MIB = 256;
const MIB = 1024 * 1024;

/** `repeat` copies of `chunk` deflated as a stream, never held inflated: a zip bomb of `repeat × chunk` bytes. */
async function bomb(file: string, name: string, head: Buffer, chunk: Buffer, repeat: number): Promise<void> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (data: Buffer) => parts.push(data));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  let crc = crc32(head);
  deflate.write(head);
  for (let i = 0; i < repeat; i++) {
    crc = crc32(chunk, crc);
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  writeFileSync(file, deflatedZip(name, Buffer.concat(parts), crc, head.length + chunk.length * repeat));
}

/** Writes a big file from parts without holding it whole. */
async function writeParts(file: string, parts: Iterable<Buffer>): Promise<void> {
  const out = createWriteStream(file);
  for (const part of parts) if (!out.write(part)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  await new Promise<void>((resolve) => out.end(() => resolve()));
}

function* ggufKeys(count: number): Iterable<Buffer> {
  const head = Buffer.alloc(24);
  head.write('GGUF', 0, 'latin1');
  head.writeUInt32LE(3, 4);
  head.writeBigUInt64LE(0n, 8);
  head.writeBigUInt64LE(BigInt(count), 16);
  yield head;
  for (let batch = 0; batch < count; batch += 100_000) {
    const entries: Buffer[] = [];
    for (let i = batch; i < Math.min(count, batch + 100_000); i++) {
      const key = Buffer.from(`k${i}`);
      const entry = Buffer.alloc(8 + key.length + 8);
      entry.writeBigUInt64LE(BigInt(key.length), 0);
      key.copy(entry, 8);
      entry.writeUInt32LE(4, 8 + key.length);
      entry.writeUInt32LE(i, 12 + key.length);
      entries.push(entry);
    }
    yield Buffer.concat(entries);
  }
}

/** The hostile inputs, one or more per inspector: each is what made an inspector crash, hang or balloon. */
const INPUTS: { inspector: string; file: string; what: string; make: (file: string) => Promise<void> | void }[] = [
  { inspector: 'safetensors', file: 'deep.safetensors', what: 'header nested 200,000 deep', make: (f) => writeFileSync(f, safetensorsWithHeader(`{"__metadata__":{"a":${'['.repeat(200_000)}${']'.repeat(200_000)}}}`)) },
  {
    inspector: 'safetensors', file: 'wide.safetensors', what: '28 MB header of 450,000 tensors',
    make: (f) => writeFileSync(f, safetensorsWithHeader(`{${Array.from({ length: 450_000 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`).join(',')}}`)),
  },
  { inspector: 'gguf', file: 'keys.gguf', what: '3,000,000 metadata keys (70 MB)', make: (f) => writeParts(f, ggufKeys(3_000_000)) },
  { inspector: 'gguf', file: 'nan.gguf', what: 'NaN and -Infinity floats', make: (f) => writeFileSync(f, ggufBytes({ 'x.nan': { type: 'f32', value: NaN }, 'x.inf': { type: 'f64', value: -Infinity } }, [])) },
  {
    inspector: 'onnx', file: 'dims.onnx', what: '15 MB of tensor dimensions',
    make: (f) => writeFileSync(f, Buffer.concat([proto.int(1, 8), proto.bytes(7, proto.bytes(5, [Buffer.alloc(15 * MIB / 2, Buffer.from([0x08, 0x01])), proto.int(2, 1)]))])),
  },
  {
    inspector: 'onnx', file: 'ops.onnx', what: '13 MB: 400,000 nodes of distinct op types',
    make: (f) => writeFileSync(f, Buffer.concat([proto.int(1, 8), proto.bytes(7, Buffer.concat(Array.from({ length: 400_000 }, (_, i) => proto.bytes(1, proto.bytes(4, `Op${i}`.padEnd(26, 'x'))))))])),
  },
  {
    inspector: 'onnx', file: 'signature.onnx', what: '1 MB of signature dimensions',
    make: (f) => writeFileSync(f, Buffer.concat([proto.int(1, 8), proto.bytes(7, Buffer.concat(Array.from({ length: 10 }, (_, i) => onnxValueInfo(11, { name: `in${i}`, elemType: 1, dims: Array.from({ length: 25_000 }, () => 'x') }))))])),
  },
  {
    inspector: 'onnx', file: 'nested.onnx', what: 'If subgraphs nested 5,000 deep',
    make: (f) => {
      let graph = proto.bytes(1, proto.bytes(4, 'Relu'));
      for (let i = 0; i < 5000; i++) graph = proto.bytes(1, [proto.bytes(4, 'If'), proto.bytes(5, [proto.bytes(1, 'then_branch'), proto.bytes(6, graph)])]);
      writeFileSync(f, Buffer.concat([proto.int(1, 8), proto.bytes(7, graph)]));
    },
  },
  { inspector: 'keras', file: 'bomb.keras', what: '30 KB zip: config.json of 10,000,000 {}', make: (f) => writeFileSync(f, deflatedZipBytes('config.json', Buffer.from(`{"class_name":"Sequential","config":{"layers":[${'{},'.repeat(10_000_000)}{}]}}`))) },
  { inspector: 'keras', file: 'values.keras', what: 'config.json of 5,000,000 values (15 MB)', make: (f) => writeFileSync(f, deflatedZipBytes('config.json', Buffer.from(`{"class_name":"Sequential","config":{"layers":[${'0,'.repeat(5_000_000)}0]}}`))) },
  {
    inspector: 'keras', file: 'members.keras', what: '65,000 zip members (no zip64)',
    make: (f) => writeFileSync(f, zipBytes({ 'config.json': '{"class_name":"Sequential","config":{"layers":[]}}', ...Object.fromEntries(Array.from({ length: 65_000 }, (_, i) => [`m/${i}`, ''])) })),
  },
  {
    inspector: 'h5', file: 'configs.h5', what: '16 candidate model_configs of 3 MB each',
    make: (f) => {
      const candidate = Buffer.from(`{"class_name": "Sequential", "config": {"layers": [${'{},'.repeat(1_000_000)}{}], "x": 1}, "y": [}`);
      writeFileSync(f, Buffer.concat([Buffer.from('\x89HDF\r\n\x1a\n', 'latin1'), Buffer.alloc(88, 1), ...Array.from({ length: 16 }, () => candidate)]));
    },
  },
  {
    inspector: 'tfjs', file: 'model.json', what: '30 MB weights manifest of 600,000 weights',
    make: (f) => writeFileSync(f, JSON.stringify({ format: 'graph-model', modelTopology: {}, weightsManifest: [{ paths: [], weights: Array.from({ length: 600_000 }, (_, i) => ({ name: `w${i}`, shape: [1, 2, 3], dtype: 'float32' })) }] })),
  },
  {
    inspector: 'savedmodel', file: 'saved_model.pb', what: '10 MB of signature dimensions',
    make: (f) => {
      const dims = Buffer.concat(Array.from({ length: 1_000_000 }, () => proto.bytes(2, proto.int(1, 1))));
      const tensorInfo = proto.bytes(2, [proto.bytes(1, 'x'), proto.int(2, 1), proto.bytes(3, dims)]);
      const signature = proto.bytes(5, [proto.bytes(1, 'serving_default'), proto.bytes(2, proto.bytes(1, [proto.bytes(1, 'x'), tensorInfo]))]);
      writeFileSync(f, Buffer.concat([proto.int(1, 1), proto.bytes(2, [proto.bytes(1, proto.bytes(4, 'serve')), signature])]));
    },
  },
  {
    inspector: 'tflite', file: 'tensors.tflite', what: 'a subgraph of 2,000,000 tensors (8 MB)',
    make: (f) => writeFileSync(f, tfliteModel(2_000_000)),
  },
  { inspector: 'pickle', file: 'long.pkl', what: '100 MB pickle of NONE/POP opcodes', make: (f) => writeParts(f, [Buffer.from([0x80, 0x02]), ...Array.from({ length: 25 }, () => Buffer.alloc(4 * MIB, 'N0')), Buffer.from('N.')]) },
  { inspector: 'pytorch (zip)', file: 'bomb.pt', what: '1 MB zip: data.pkl inflating to 1 GiB', make: (f) => bomb(f, 'archive/data.pkl', Buffer.from([0x80, 0x02]), Buffer.alloc(4 * MIB, 'N0'), 256) },
];

function inspectTimed(file: string): { seconds: number; peakMiB: number; status: number | null; limit: string; error: string } {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, CLI, 'inspect', '--json', file], { encoding: 'utf8', maxBuffer: 256 * MIB, timeout: 120_000 });
  const lines = result.stderr.trim().split('\n');
  const [seconds, kib] = lines.pop()!.split(' ').map(Number);
  let limit = '-';
  let error = '';
  try {
    const [entry] = JSON.parse(result.stdout) as { error?: string; findings?: { code: string; where?: string }[] }[];
    limit = entry.findings?.filter((finding) => finding.code === 'inspection.limit').map((finding) => finding.where?.replace('limit ', '')).join(', ') || '-';
    error = entry.error ?? '';
  } catch {
    error = lines.join(' ').slice(0, 60) || 'no JSON printed';
  }
  return { seconds, peakMiB: kib / 1024, status: result.status, limit, error };
}

/** `BENCH_ONLY=hostile`: `mreg inspect` of a hostile input per inspector in a child process: time and peak RSS against 256 MB. */
export async function benchHostileInspection(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-hostile-'));
  try {
    const rows: (string | number)[][] = [];
    for (const input of INPUTS) {
      const file = path.join(dir, input.file);
      await input.make(file);
      const run = inspectTimed(file);
      const size = statSync(file).size;
      rows.push([input.inspector, input.what, size >= MIB ? `${(size / MIB).toFixed(1)} MB` : `${(size / 1024).toFixed(0)} KB`, run.seconds.toFixed(2), run.peakMiB.toFixed(0), run.limit, run.error ? `error: ${run.error.slice(0, 50)}` : 'recorded', verdict(run.peakMiB < TARGET_MIB)]);
      rmSync(file);
    }
    printTable(`mreg inspect --json on hostile files (the whole process, Node included; target: peak RSS < ${TARGET_MIB} MiB)`, ['INSPECTOR', 'INPUT', 'FILE', 'SECONDS', 'PEAK MiB', 'LIMIT REACHED', 'RESULT', 'MEMORY'], rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
