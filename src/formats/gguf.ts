import { FormatProblem, uint64, type FileReader } from './byteReader';
import type { Inspection, InspectionSummary, TensorInfo } from './inspection';
import { LISTED_TENSORS, countKinds, metadataSummary, product } from './tensorSummary';

/** ggml_type, as tensor infos name their element type (ggml.h). */
const GGML_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 6: 'Q5_0', 7: 'Q5_1', 8: 'Q8_0', 9: 'Q8_1', 10: 'Q2_K', 11: 'Q3_K', 12: 'Q4_K', 13: 'Q5_K',
  14: 'Q6_K', 15: 'Q8_K', 16: 'IQ2_XXS', 17: 'IQ2_XS', 18: 'IQ3_XXS', 19: 'IQ1_S', 20: 'IQ4_NL', 21: 'IQ3_S', 22: 'IQ2_S', 23: 'IQ4_XS',
  24: 'I8', 25: 'I16', 26: 'I32', 27: 'I64', 28: 'F64', 29: 'IQ1_M', 30: 'BF16', 34: 'TQ1_0', 35: 'TQ2_0', 39: 'MXFP4',
};

/** llama_ftype, the quantization of the file as a whole (general.file_type). */
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M', 13: 'Q3_K_L',
  14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 19: 'IQ2_XXS', 20: 'IQ2_XS', 21: 'Q2_K_S', 22: 'IQ3_XS',
  23: 'IQ3_XXS', 24: 'IQ1_S', 25: 'IQ4_NL', 26: 'IQ3_S', 27: 'IQ3_M', 28: 'IQ2_S', 29: 'IQ2_M', 30: 'IQ4_XS', 31: 'IQ1_M', 32: 'BF16',
  36: 'TQ1_0', 37: 'TQ2_0', 38: 'MXFP4_MOE',
};

/** gguf_type: metadata value types, and the width of the fixed-size ones. */
const VALUE_WIDTH: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

const MAX_KEY_BYTES = 64 * 1024;
const MAX_STRING_KEPT = 4096;
const MAX_DIMS = 8;
/** Metadata kept to show (the rest is read past): real files have 20–50 keys, a hostile one millions. */
const KEPT_METADATA_KEYS = 32;
const NAMED_KEYS = new Set(['general.architecture', 'general.name', 'general.file_type', 'general.alignment']);

/**
 * GGUF (llama.cpp): magic, version, tensor and metadata counts, metadata key-values, tensor infos,
 * then aligned tensor data. Only the header is read; arrays such as the tokenizer's vocabulary are
 * skipped element by element, never held.
 */
export async function inspectGguf(reader: FileReader): Promise<Inspection> {
  const magic = (await reader.bytes(4)).toString('latin1');
  if (magic !== 'GGUF') throw new FormatProblem(`it starts with ${JSON.stringify(magic)}, not the GGUF magic`);
  const version = (await reader.bytes(4)).readUInt32LE(0);
  if (version < 1 || version > 3) throw new FormatProblem(`it is GGUF version ${version}; versions 1 to 3 are known`);
  // Version 1 used 32-bit counts and string lengths.
  const count = async (): Promise<number> => (version === 1 ? (await reader.bytes(4)).readUInt32LE(0) : uint64(await reader.bytes(8)));
  const string = async (max = MAX_STRING_KEPT): Promise<string | undefined> => {
    const length = await count();
    if (length > max) {
      await reader.skip(length);
      return undefined;
    }
    return (await reader.bytes(length)).toString('utf8');
  };

  const tensorCount = await count();
  const kvCount = await count();
  const metadata = new Map<string, unknown>();
  let keptKeys = 0;
  for (let i = 0; i < kvCount; i++) {
    reader.budget.entries(1, `its ${kvCount.toLocaleString('en-US')} metadata keys`);
    const key = await string(MAX_KEY_BYTES);
    if (key === undefined) throw new FormatProblem(`metadata key ${i} is longer than ${MAX_KEY_BYTES} bytes`);
    const type = (await reader.bytes(4)).readUInt32LE(0);
    const entry = await value(type, 0);
    if (NAMED_KEYS.has(key) || (key.endsWith('.context_length') && !metadata.has(key)) || keptKeys < KEPT_METADATA_KEYS) {
      if (!metadata.has(key)) keptKeys++;
      metadata.set(key, entry);
    }
  }

  const tensors: TensorInfo[] = [];
  const types = countKinds();
  let parameterCount = 0;
  let lastOffset = 0;
  for (let i = 0; i < tensorCount; i++) {
    reader.budget.entries(1, `its ${tensorCount.toLocaleString('en-US')} tensor infos`);
    const name = (await string(MAX_KEY_BYTES)) ?? `#${i}`;
    const dimCount = (await reader.bytes(4)).readUInt32LE(0);
    if (dimCount > MAX_DIMS) throw new FormatProblem(`tensor '${name}' claims ${dimCount} dimensions`);
    const shape: number[] = [];
    for (let d = 0; d < dimCount; d++) shape.push(uint64(await reader.bytes(8)));
    const typeCode = (await reader.bytes(4)).readUInt32LE(0);
    const dtype = GGML_TYPES[typeCode] ?? `type ${typeCode}`;
    lastOffset = Math.max(lastOffset, uint64(await reader.bytes(8)));
    parameterCount += product(shape);
    types.add(dtype);
    if (tensors.length < LISTED_TENSORS) tensors.push({ name, dtype, shape });
  }
  const declaredAlignment = metadata.get('general.alignment');
  const alignment = declaredAlignment === undefined ? 32 : Number(declaredAlignment);
  // ggml requires a power of two; 0 would make every offset NaN and skip the truncation check.
  if (!Number.isSafeInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0) throw new FormatProblem(`its general.alignment is ${String(declaredAlignment)}, not a power of two`);
  const dataStart = Math.ceil(reader.position / alignment) * alignment;
  if (tensorCount > 0 && dataStart + lastOffset >= reader.size) {
    throw new FormatProblem(`its last tensor starts at byte ${dataStart + lastOffset}, past the end of the ${reader.size}-byte file (truncated?)`);
  }

  const architecture = typeof metadata.get('general.architecture') === 'string' ? (metadata.get('general.architecture') as string) : null;
  const fileType = metadata.get('general.file_type');
  const contextLength = architecture ? metadata.get(`${architecture}.context_length`) : undefined;
  const summary: InspectionSummary = {
    ggufVersion: version,
    architecture,
    name: typeof metadata.get('general.name') === 'string' ? (metadata.get('general.name') as string) : null,
    contextLength: typeof contextLength === 'number' || typeof contextLength === 'string' ? contextLength : null,
    fileType: typeof fileType === 'number' ? (FILE_TYPES[fileType] ?? `type ${fileType}`) : null,
    tensorTypes: types.summary(),
    ...metadataSummary(Object.fromEntries([...metadata].slice(0, KEPT_METADATA_KEYS))),
    ...(kvCount > keptKeys ? { metadataKeys: kvCount } : {}),
  };
  return { format: 'gguf', summary, parameterCount, tensorCount, tensors, findings: [] };

  async function value(type: number, depth: number): Promise<unknown> {
    const width = VALUE_WIDTH[type];
    if (width !== undefined) {
      const bytes = await reader.bytes(width);
      switch (type) {
        case 0: return bytes.readUInt8(0);
        case 1: return bytes.readInt8(0);
        case 2: return bytes.readUInt16LE(0);
        case 3: return bytes.readInt16LE(0);
        case 4: return bytes.readUInt32LE(0);
        case 5: return bytes.readInt32LE(0);
        case 6: return finite(bytes.readFloatLE(0));
        case 7: return bytes[0] !== 0;
        case 10: return exact(bytes.readBigUInt64LE(0));
        case 11: return exact(bytes.readBigInt64LE(0));
        default: return finite(bytes.readDoubleLE(0));
      }
    }
    if (type === STRING) return (await string()) ?? '(long text)';
    if (type === ARRAY && depth < 2) {
      const elementType = (await reader.bytes(4)).readUInt32LE(0);
      const length = await count();
      const elementWidth = VALUE_WIDTH[elementType];
      if (elementWidth !== undefined) await reader.skip(length * elementWidth);
      else for (let i = 0; i < length; i++) await value(elementType, depth + 1);
      return `[${length} × ${elementType === STRING ? 'string' : elementType === ARRAY ? 'array' : `type ${elementType}`}]`;
    }
    throw new FormatProblem(`a metadata value has unknown type ${type} at offset ${reader.position - 4}`);
  }
}

/** A 64-bit integer as a number while that is exact, else its decimal digits (2^53 + 1 stays 2^53 + 1). */
function exact(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** NaN and the infinities, which JSON cannot hold, as the words for them. */
function finite(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}
