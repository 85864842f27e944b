import { FormatProblem, type FileReader } from './byteReader';

/**
 * The protobuf wire format read in place from a file. Libraries (protobufjs, google-protobuf)
 * decode a message from one Buffer, which for ONNX means holding every weight in memory — and a
 * Buffer cannot exceed 2–4 GB. Reading tag by tag through a FileReader instead lets a caller
 * descend into the small messages it wants and seek past the large ones (initializer raw_data)
 * without reading them.
 */
export type WireValue =
  | { kind: 'varint'; value: bigint }
  | { kind: 'fixed' }
  | { kind: 'bytes'; start: number; length: number };

const MAX_DEPTH = 32;

/** Reads the fields of the message in [reader.position, end), calling `onField` for each. */
export async function readMessage(reader: FileReader, end: number, onField: (field: number, value: WireValue) => Promise<void> | void, depth = 0): Promise<void> {
  if (depth > MAX_DEPTH) throw new FormatProblem(`messages nest more than ${MAX_DEPTH} deep at offset ${reader.position}`);
  reader.budget.checkTime('reading its protobuf messages');
  if (end > reader.size) throw new FormatProblem(`a message at offset ${reader.position} runs to byte ${end}, past the end of the ${reader.size}-byte file (truncated?)`);
  while (reader.position < end) {
    const offset = reader.position;
    const key = await varint(reader);
    const field = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (field === 0) throw new FormatProblem(`field number 0 at offset ${offset}`);
    switch (wireType) {
      case 0:
        await onField(field, { kind: 'varint', value: await varint(reader) });
        break;
      case 1:
      case 5:
        await reader.skip(wireType === 1 ? 8 : 4);
        await onField(field, { kind: 'fixed' });
        break;
      case 2: {
        const length = Number(await varint(reader));
        const start = reader.position;
        if (start + length > end) throw new FormatProblem(`field ${field} at offset ${offset} claims ${length} bytes, past the end of its message at byte ${end} (truncated?)`);
        await onField(field, { kind: 'bytes', start, length });
        reader.seek(start + length);
        break;
      }
      default:
        throw new FormatProblem(`wire type ${wireType} at offset ${offset} is not valid protobuf`);
    }
  }
  if (reader.position !== end) throw new FormatProblem(`a field runs past the end of its message at byte ${end}`);
}

export async function varint(reader: FileReader): Promise<bigint> {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    // From the read window without a promise when it can: a 15 MB graph is millions of varints.
    const byte = (reader.takeBuffered(1) ?? (await reader.bytes(1)))[0];
    result |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) return result;
  }
  throw new FormatProblem(`a varint at offset ${reader.position - 10} runs past 10 bytes`);
}

/** A length-delimited field as text, refusing lengths past `max`. */
export async function text(reader: FileReader, value: WireValue, max = 64 * 1024): Promise<string> {
  if (value.kind !== 'bytes') throw new FormatProblem(`a string field at offset ${reader.position} has the wrong wire type`);
  if (value.length > max) return `${(await reader.bytes(max)).toString('utf8')}…`;
  return (await reader.bytes(value.length)).toString('utf8');
}

/** A nested message's fields. */
export async function submessage(reader: FileReader, value: WireValue, onField: (field: number, value: WireValue) => Promise<void> | void, depth = 1): Promise<void> {
  if (value.kind !== 'bytes') throw new FormatProblem(`a message field at offset ${reader.position} has the wrong wire type`);
  await readMessage(reader, value.start + value.length, onField, depth);
}

/** An int64 varint as a number (two's complement for negatives). */
export function int64(value: WireValue): number {
  if (value.kind !== 'varint') throw new FormatProblem('an integer field has the wrong wire type');
  return Number(BigInt.asIntN(64, value.value));
}

/** A repeated int64 field, packed (one length-delimited run) or not (one varint per element). */
export async function int64s(reader: FileReader, value: WireValue): Promise<number[]> {
  if (value.kind === 'varint') return [int64(value)];
  if (value.kind !== 'bytes') throw new FormatProblem('a repeated integer field has the wrong wire type');
  const values: number[] = [];
  const end = value.start + value.length;
  while (reader.position < end) {
    values.push(Number(BigInt.asIntN(64, await varint(reader))));
    // A packed run of a few bytes per value: charged as it grows, not after millions were decoded.
    if (values.length % 1024 === 0) reader.budget.entries(1024, 'a repeated integer field');
  }
  return values;
}
