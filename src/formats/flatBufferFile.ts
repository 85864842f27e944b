import { FormatProblem, type FileReader } from './byteReader';

const PAGE_BYTES = 64 * 1024;
const CACHED_PAGES = 64;

/**
 * A FlatBuffer read in place from a file (TFLite models). Google's `flatbuffers` runtime reads from
 * one in-memory buffer, which for a model means holding all its weights (hundreds of MB); here
 * tables, vectors and strings are read through a small page cache and the weights are never read.
 * Every offset is checked against the file, so a hostile offset is a FormatProblem, not a wild read.
 * Layout (flatbuffers.dev, "internals"): a table starts with a signed offset back to its vtable;
 * the vtable holds its own size, the table's size, then one 16-bit offset per field (0: absent).
 */
export class FlatBufferFile {
  private readonly pages = new Map<number, Buffer>();

  constructor(private readonly reader: FileReader) {}

  get size(): number {
    return this.reader.size;
  }

  /** The root table: the file starts with its offset. */
  root(): number {
    return this.offsetAt(0);
  }

  /** The position of the table, vector or string that the offset stored at `position` points to. */
  offsetAt(position: number): number {
    const target = position + this.u32(position);
    if (target >= this.size) throw new FormatProblem(`an offset at byte ${position} points to byte ${target}, past the end of the ${this.size}-byte file`);
    return target;
  }

  /** Where field `index` of the table at `table` lies, or undefined when the table leaves it out. */
  field(table: number, index: number): number | undefined {
    const vtable = table - this.i32(table);
    if (vtable < 0 || vtable >= this.size) throw new FormatProblem(`the table at byte ${table} has its vtable outside the file`);
    const vtableBytes = this.u16(vtable);
    const slot = 4 + 2 * index;
    if (slot + 2 > vtableBytes) return undefined;
    const offset = this.u16(vtable + slot);
    return offset === 0 ? undefined : table + offset;
  }

  /** A vector's element count and first element; the elements must fit in the file. */
  vector(table: number, index: number, elementBytes: number): { start: number; length: number } {
    const at = this.field(table, index);
    if (at === undefined) return { start: 0, length: 0 };
    const start = this.offsetAt(at);
    const length = this.u32(start);
    if (start + 4 + length * elementBytes > this.size) throw new FormatProblem(`a vector at byte ${start} claims ${length} elements, more than the file holds`);
    return { start: start + 4, length };
  }

  /** A vector of tables: the position of each element's table. */
  tableAt(vector: { start: number }, element: number): number {
    return this.offsetAt(vector.start + 4 * element);
  }

  string(table: number, index: number, maxBytes: number): string | undefined {
    const at = this.field(table, index);
    if (at === undefined) return undefined;
    const start = this.offsetAt(at);
    const length = this.u32(start);
    if (start + 4 + length > this.size) throw new FormatProblem(`a string at byte ${start} claims ${length} bytes, more than the file holds`);
    const text = this.bytes(start + 4, Math.min(length, maxBytes)).toString('utf8');
    return length > maxBytes ? `${text}…` : text;
  }

  /** A scalar field of the table, or its schema default when absent. */
  scalar(table: number, index: number, type: 'u8' | 'i8' | 'i32' | 'u32' | 'u64', fallback: number): number {
    const at = this.field(table, index);
    if (at === undefined) return fallback;
    switch (type) {
      case 'u8': return this.bytes(at, 1)[0];
      case 'i8': return this.bytes(at, 1).readInt8(0);
      case 'i32': return this.i32(at);
      case 'u32': return this.u32(at);
      case 'u64': return Number(this.bytes(at, 8).readBigUInt64LE(0));
    }
  }

  i32At(position: number): number {
    return this.i32(position);
  }

  u32(position: number): number {
    return this.bytes(position, 4).readUInt32LE(0);
  }

  private i32(position: number): number {
    return this.bytes(position, 4).readInt32LE(0);
  }

  private u16(position: number): number {
    return this.bytes(position, 2).readUInt16LE(0);
  }

  bytes(position: number, length: number): Buffer {
    if (position < 0 || position + length > this.size) throw new FormatProblem(`a read of ${length} bytes at byte ${position} runs past the end of the ${this.size}-byte file`);
    const first = Math.floor(position / PAGE_BYTES);
    const last = Math.floor((position + length - 1) / PAGE_BYTES);
    if (length > 0 && first === last) {
      const offset = position - first * PAGE_BYTES;
      return this.page(first).subarray(offset, offset + length);
    }
    return this.reader.peekAtSync(position, length);
  }

  private page(index: number): Buffer {
    let page = this.pages.get(index);
    if (page) return page;
    page = this.reader.peekAtSync(index * PAGE_BYTES, PAGE_BYTES);
    // Oldest first out: a model's tables sit together, so a few pages serve most reads.
    if (this.pages.size >= CACHED_PAGES) this.pages.delete(this.pages.keys().next().value!);
    this.pages.set(index, page);
    return page;
  }
}
