import { parseBoundedJson } from './boundedJson';
import { FileReader, FormatProblem, uint64 } from './byteReader';
import type { Inspection, TensorInfo } from './inspection';
import { LimitReached } from './inspectionBudget';
import { LISTED_TENSORS, countKinds, metadataSummary, product } from './tensorSummary';

/**
 * The header's JSON is parsed whole (under the inspection's entry and depth limits), so its length
 * is capped: real headers are well under a few MiB (about 150 bytes per tensor); the reference
 * implementation refuses more than 100 MB, which parsed would take most of the memory an
 * inspection may use.
 */
const MAX_HEADER_BYTES = 32 * 1024 * 1024;

/** Bytes per element; sub-byte and exotic types are counted but not size-checked. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, F8_E8M0: 1,
  U16: 2, I16: 2, F16: 2, BF16: 2,
  U32: 4, I32: 4, F32: 4,
  U64: 8, I64: 8, F64: 8,
};

/** safetensors: an 8-byte little-endian header length, a JSON header, then the tensors' bytes. */
export async function inspectSafetensors(reader: FileReader): Promise<Inspection> {
  if (reader.size < 8) throw new FormatProblem(`it is ${reader.size} bytes long, shorter than the 8-byte header length`);
  const headerLength = uint64(await reader.bytes(8));
  if (8 + headerLength > reader.size) throw new FormatProblem(`its header claims ${headerLength} bytes but the file holds only ${reader.size - 8} after the length`);
  // A header that fits the file but is past what may be parsed: the file may be real, the limit says so.
  if (headerLength > MAX_HEADER_BYTES) throw new LimitReached('readBytes', MAX_HEADER_BYTES, `its header of ${headerLength.toLocaleString('en-US')} bytes`);
  const header = parseBoundedJson(await reader.bytes(headerLength), 'its header');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new FormatProblem('its header is not a JSON object');
  const dataBytes = reader.size - 8 - headerLength;
  const tensors: TensorInfo[] = [];
  let tensorCount = 0;
  let parameterCount = 0;
  let metadata: Record<string, unknown> = {};
  const dtypes = countKinds();
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null) throw new FormatProblem('__metadata__ is not an object');
      metadata = value as Record<string, unknown>;
      continue;
    }
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof entry !== 'object' || entry === null || typeof entry.dtype !== 'string' || !isDims(entry.shape) || !isOffsets(entry.data_offsets)) {
      throw new FormatProblem(`tensor '${name}' needs a string dtype, a shape of non-negative integers and two data_offsets`);
    }
    const [begin, end] = entry.data_offsets;
    if (end < begin || end > dataBytes) throw new FormatProblem(`tensor '${name}' lies at bytes ${begin}–${end} of a ${dataBytes}-byte data section`);
    const elements = product(entry.shape);
    const width = DTYPE_BYTES[entry.dtype];
    if (width !== undefined && elements * width !== end - begin) {
      throw new FormatProblem(`tensor '${name}' (${entry.dtype} ${JSON.stringify(entry.shape)}) needs ${elements * width} bytes but has ${end - begin}`);
    }
    parameterCount += elements;
    dtypes.add(entry.dtype);
    if (++tensorCount <= LISTED_TENSORS) tensors.push({ name, dtype: entry.dtype, shape: entry.shape });
  }
  return {
    format: 'safetensors',
    summary: {
      dtypes: dtypes.summary(),
      ...metadataSummary(metadata),
    },
    parameterCount,
    tensorCount,
    tensors,
    findings: [],
  };
}

function isDims(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((dim) => Number.isSafeInteger(dim) && (dim as number) >= 0);
}

function isOffsets(value: unknown): value is [number, number] {
  return isDims(value) && value.length === 2;
}
