import assert from 'node:assert/strict';
import { crc32, deflateRawSync } from 'node:zlib';
import { isRegistryError } from '../../src/core/registryError';
import { inspectArtifact } from '../../src/formats/inspectArtifact';

/**
 * Weight files written byte by byte by the tests themselves, following each format's specification,
 * so no binary fixture is committed and every field's value is known.
 */

export interface FixtureTensor {
  name: string;
  dtype: string;
  shape: number[];
}

const SAFETENSORS_WIDTH: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, U8: 1 };

/** A safetensors file: 8-byte header length, JSON header, zero-filled tensor data. */
export function safetensorsBytes(tensors: FixtureTensor[], metadata?: Record<string, string>): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const tensor of tensors) {
    const bytes = tensor.shape.reduce((a, b) => a * b, 1) * SAFETENSORS_WIDTH[tensor.dtype];
    header[tensor.name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.alloc(offset)]);
}

/** A zip archive with stored (uncompressed) members, as torch.save writes them. */
export function zipBytes(members: Record<string, Buffer | string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(members)) {
    const data = Buffer.from(content);
    const fileName = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    // Local header and central directory entry share crc, sizes and name length, 2 bytes apart.
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    for (const [header, at] of [[local, 14], [central, 16]] as const) {
      header.writeUInt32LE(crc, at);
      header.writeUInt32LE(data.length, at + 4);
      header.writeUInt32LE(data.length, at + 8);
      header.writeUInt16LE(fileName.length, at + 12);
    }
    central.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    centrals.push(central, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A safetensors file of `json` as its header and no tensor data: what a hostile header needs. */
export function safetensorsWithHeader(json: string): Buffer {
  const header = Buffer.from(json);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(header.length));
  return Buffer.concat([length, header]);
}

/** A zip of one deflated member, its local header and directory written around the compressed bytes. */
export function deflatedZip(name: string, compressed: Buffer, crc: number, size: number): Buffer {
  const fileName = Buffer.from(name);
  const header = (signature: number, length: number, at: number): Buffer => {
    const bytes = Buffer.alloc(length);
    bytes.writeUInt32LE(signature, 0);
    bytes.writeUInt16LE(20, 4);
    if (signature === 0x02014b50) bytes.writeUInt16LE(20, 6);
    bytes.writeUInt16LE(8, at - 6);
    bytes.writeUInt32LE(crc, at);
    bytes.writeUInt32LE(compressed.length, at + 4);
    bytes.writeUInt32LE(size, at + 8);
    bytes.writeUInt16LE(fileName.length, at + 12);
    return bytes;
  };
  const directory = Buffer.concat([header(0x02014b50, 46, 16), fileName]);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(30 + fileName.length + compressed.length, 16);
  return Buffer.concat([header(0x04034b50, 30, 14), fileName, compressed, directory, end]);
}

/** A zip of one member deflated, as Keras and most zip tools write it. */
export function deflatedZipBytes(name: string, content: Buffer): Buffer {
  return deflatedZip(name, deflateRawSync(content, { level: 9 }), crc32(content), content.length);
}

/** Pickle text as Python's pickletools would disassemble it, assembled: strings are latin1 bytes. */
export function pickleBytes(...parts: (string | Buffer)[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : part)));
}

/** SHORT_BINUNICODE then MEMOIZE, how protocol 4 writes a module or attribute name. */
export function shortUnicode(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([0x8c, bytes.length]), bytes, Buffer.from([0x94])]);
}

/** A state dict as torch.save pickles it: an OrderedDict rebuilt through torch._utils. Protocol 2. */
export const TORCH_STATE_DICT_PICKLE = pickleBytes(
  '\x80\x02ccollections\nOrderedDict\nq\x00)Rq\x01',
  'X\x0c\x00\x00\x00embed.weightq\x02ctorch._utils\n_rebuild_tensor_v2\nq\x03(',
  '(X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K\x06tq\x08QK\x00K\x02K\x03\x86q\tK\x03K\x01\x86q\n\x89h\x00)Rq\x0btq\x0cRq\rs.',
);

/** The classic malicious pickle: `os.system('touch pwned')` run by pickle.load. Protocol 2. */
export const OS_SYSTEM_PICKLE = pickleBytes('\x80\x02cos\nsystem\nq\x00X\x0b\x00\x00\x00touch pwnedq\x01\x85q\x02Rq\x03.');

/** The same attack at protocol 4: builtins.exec through STACK_GLOBAL with memoized names. */
export const STACK_GLOBAL_EXEC_PICKLE = pickleBytes('\x80\x04', shortUnicode('builtins'), shortUnicode('exec'), '\x93\x94', shortUnicode("print('pwned')"), '\x85\x94R\x94.');

export type GgufValue =
  | { type: 'u32'; value: number }
  | { type: 'string'; value: string }
  | { type: 'f32'; value: number }
  | { type: 'f64'; value: number }
  | { type: 'u64'; value: bigint }
  | { type: 'i64'; value: bigint }
  | { type: 'strings'; value: string[] }
  | { type: 'i32s'; value: number[] };

/** A GGUF v3 file: header, metadata, tensor infos (ggml type codes), aligned zero data. */
export function ggufBytes(metadata: Record<string, GgufValue>, tensors: { name: string; type: number; shape: number[]; bytes: number }[]): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    parts.push(b);
  };
  const u64 = (n: number): void => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    parts.push(b);
  };
  const str = (text: string): void => {
    const b = Buffer.from(text, 'utf8');
    u64(b.length);
    parts.push(b);
  };
  parts.push(Buffer.from('GGUF'));
  u32(3);
  u64(tensors.length);
  u64(Object.keys(metadata).length);
  for (const [key, entry] of Object.entries(metadata)) {
    str(key);
    if (entry.type === 'u32') {
      u32(4);
      u32(entry.value);
    } else if (entry.type === 'f32') {
      u32(6);
      const b = Buffer.alloc(4);
      b.writeFloatLE(entry.value);
      parts.push(b);
    } else if (entry.type === 'f64' || entry.type === 'u64' || entry.type === 'i64') {
      // gguf_type 12 float64, 10 uint64, 11 int64.
      u32({ f64: 12, u64: 10, i64: 11 }[entry.type]);
      const b = Buffer.alloc(8);
      if (entry.type === 'f64') b.writeDoubleLE(entry.value);
      else if (entry.type === 'u64') b.writeBigUInt64LE(entry.value);
      else b.writeBigInt64LE(entry.value);
      parts.push(b);
    } else if (entry.type === 'string') {
      u32(8);
      str(entry.value);
    } else {
      // An array: element type, count, elements.
      u32(9);
      u32(entry.type === 'strings' ? 8 : 5);
      u64(entry.value.length);
      if (entry.type === 'strings') entry.value.forEach(str);
      else entry.value.forEach(u32);
    }
  }
  let offset = 0;
  for (const tensor of tensors) {
    str(tensor.name);
    u32(tensor.shape.length);
    tensor.shape.forEach(u64);
    u32(tensor.type);
    u64(offset);
    offset += Math.ceil(tensor.bytes / 32) * 32;
  }
  const header = Buffer.concat(parts);
  const padding = (32 - (header.length % 32)) % 32;
  return Buffer.concat([header, Buffer.alloc(padding + offset)]);
}

/** Protobuf encoding, enough to write ONNX ModelProtos field by field. */
export const proto = {
  varint(value: number | bigint): Buffer {
    let rest = BigInt.asUintN(64, BigInt(value));
    const bytes: number[] = [];
    do {
      const low = Number(rest & 0x7fn);
      rest >>= 7n;
      bytes.push(rest > 0n ? low | 0x80 : low);
    } while (rest > 0n);
    return Buffer.from(bytes);
  },
  int(field: number, value: number): Buffer {
    return Buffer.concat([proto.varint(field << 3), proto.varint(value)]);
  },
  bytes(field: number, content: Buffer | string | Buffer[]): Buffer {
    const data = Array.isArray(content) ? Buffer.concat(content) : Buffer.from(content);
    return Buffer.concat([proto.varint((field << 3) | 2), proto.varint(data.length), data]);
  },
};

export interface OnnxValue {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

export function onnxValueInfo(field: number, value: OnnxValue): Buffer {
  const dims = value.dims.map((dim) => proto.bytes(1, typeof dim === 'number' ? proto.int(1, dim) : proto.bytes(2, dim)));
  const tensorType = proto.bytes(1, [proto.int(1, value.elemType), proto.bytes(2, dims)]);
  return proto.bytes(field, [proto.bytes(1, value.name), proto.bytes(2, tensorType)]);
}

/** An ONNX ModelProto: opsets, a graph of nodes, initializers (raw_data or external), inputs, outputs. */
export function onnxBytes(model: {
  irVersion?: number;
  producer?: string;
  opsets?: [string, number][];
  nodes?: string[];
  initializers?: { name: string; dataType: number; dims: number[]; rawBytes?: number; external?: string }[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  metadata?: Record<string, string>;
}): Buffer {
  const graph: Buffer[] = [];
  for (const [i, op] of (model.nodes ?? []).entries()) graph.push(proto.bytes(1, [proto.bytes(1, 'x'), proto.bytes(2, `n${i}`), proto.bytes(4, op)]));
  graph.push(proto.bytes(2, 'main'));
  for (const init of model.initializers ?? []) {
    const fields = [proto.bytes(1, init.dims.flatMap((dim) => [proto.varint(dim)])), proto.int(2, init.dataType), proto.bytes(8, init.name)];
    if (init.rawBytes !== undefined) fields.push(proto.bytes(9, Buffer.alloc(init.rawBytes)));
    if (init.external) fields.push(proto.bytes(13, [proto.bytes(1, 'location'), proto.bytes(2, init.external)]), proto.int(14, 1));
    graph.push(proto.bytes(5, fields));
  }
  for (const input of model.inputs) graph.push(onnxValueInfo(11, input));
  for (const output of model.outputs) graph.push(onnxValueInfo(12, output));
  const parts = [proto.int(1, model.irVersion ?? 8), proto.bytes(2, model.producer ?? 'pytorch'), proto.bytes(3, '2.3.0'), proto.bytes(7, graph)];
  for (const [domain, version] of model.opsets ?? [['', 17]]) parts.push(proto.bytes(8, [proto.bytes(1, domain), proto.int(2, version)]));
  for (const [key, value] of Object.entries(model.metadata ?? {})) parts.push(proto.bytes(14, [proto.bytes(1, key), proto.bytes(2, value)]));
  return Buffer.concat(parts);
}

/** Asserts that inspecting `file` fails as CORRUPT with a message naming the file and the format. */
export async function assertCorrupt(file: string, format: string, message: RegExp): Promise<void> {
  await assert.rejects(inspectArtifact(file), (error) => {
    assert.ok(isRegistryError(error, 'CORRUPT'), String(error));
    assert.ok(error.message.startsWith(`${file} is not a readable ${format} file: `), error.message);
    assert.match(error.message, message);
    return true;
  });
}
