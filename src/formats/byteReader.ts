import { constants, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { currentBudget, type InspectionBudget } from './inspectionBudget';

/**
 * What an inspector found wrong with a file's bytes. Inspectors throw it; `inspectArtifact` turns
 * it into a RegistryError naming the file and the format.
 */
export class FormatProblem extends Error {}

/** Bytes read forwards, in order: a file (where skipping is free) or a decompressed stream. */
export interface ByteSource {
  /** Offset of the next byte, from the start of the file or stream. */
  readonly position: number;
  /** The next `length` bytes; a FormatProblem when the input ends first. */
  bytes(length: number): Promise<Buffer>;
  skip(length: number): Promise<void>;
  atEnd(): Promise<boolean>;
  /** The next byte without consuming it; undefined at the end. */
  peek(): Promise<number | undefined>;
  /**
   * The next `length` bytes when already buffered, else undefined (and nothing consumed): lets
   * opcode-sized reads skip a promise each, which made scanning ten times slower.
   */
  takeBuffered(length: number): Buffer | undefined;
}

/** Reads are served from one window of this size, so small fields cost no system call each. */
const WINDOW_BYTES = 1024 * 1024;

/**
 * Random access over a file through one handle and one bounded window: a multi-GB file costs the
 * same memory as a small one, and skipping a tensor's data is free.
 */
export class FileReader implements ByteSource {
  position = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    readonly budget: InspectionBudget,
  ) {}

  /**
   * Opens a regular file. Opening is non-blocking and the type checked on the open handle, so a
   * FIFO (whose open waits for a writer) or a device swapped in for the file is refused, never read.
   */
  static async open(file: string): Promise<FileReader> {
    const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) throw new NotARegularFile(file, fileKind(stats));
      return new FileReader(handle, stats.size, currentBudget());
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle.close();
  }

  seek(position: number): void {
    this.position = position;
  }

  async atEnd(): Promise<boolean> {
    return this.position >= this.size;
  }

  takeBuffered(length: number): Buffer | undefined {
    const offset = this.position - this.windowStart;
    if (offset < 0 || offset + length > this.window.length) return undefined;
    this.position += length;
    return this.window.subarray(offset, offset + length);
  }

  async peek(): Promise<number | undefined> {
    if (this.position >= this.size) return undefined;
    const [byte] = await this.bytes(1);
    this.position--;
    return byte;
  }

  async skip(length: number): Promise<void> {
    if (this.position + length > this.size) throw truncated(this.position, length, this.size);
    this.position += length;
  }

  async bytes(length: number): Promise<Buffer> {
    const start = this.position;
    if (start + length > this.size) throw truncated(start, length, this.size);
    this.position += length;
    const offset = start - this.windowStart;
    if (offset >= 0 && offset + length <= this.window.length) return this.window.subarray(offset, offset + length);
    if (length > WINDOW_BYTES) return this.readAt(start, length);
    this.window = await this.readAt(start, Math.min(WINDOW_BYTES, this.size - start));
    this.windowStart = start;
    return this.window.subarray(0, length);
  }

  /** Up to `length` bytes at `position`, fewer at the end of the file. */
  async peekAt(position: number, length: number): Promise<Buffer> {
    return this.readAt(position, Math.max(0, Math.min(length, this.size - position)));
  }

  /**
   * Up to `length` bytes at `position` read synchronously, for formats read by random access in
   * small pieces (FlatBuffers), where a promise per field would cost more than the read.
   */
  peekAtSync(position: number, length: number): Buffer {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    this.budget.read(wanted);
    const buffer = Buffer.alloc(wanted);
    let done = 0;
    while (done < wanted) {
      const bytesRead = readSync(this.handle.fd, buffer, done, wanted - done, position + done);
      if (bytesRead === 0) throw truncated(position, wanted, position + done);
      done += bytesRead;
    }
    return buffer;
  }

  private async readAt(position: number, length: number): Promise<Buffer> {
    this.budget.read(length);
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw truncated(position, length, position + done);
      done += bytesRead;
    }
    return buffer;
  }
}

/** A stream (a compressed zip member) read forwards; only what is not yet consumed is held. */
export class StreamReader implements ByteSource {
  position = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private ended = false;
  private readonly chunks: AsyncIterator<Buffer>;

  /** `what` names the stream for a limit reached while decompressing it (a zip member). */
  constructor(
    stream: AsyncIterable<Buffer>,
    private readonly what = 'reading the stream',
    private readonly budget: InspectionBudget = currentBudget(),
  ) {
    this.chunks = stream[Symbol.asyncIterator]();
  }

  private async fill(length: number): Promise<void> {
    while (this.pendingBytes < length && !this.ended) {
      const next = await this.chunks.next();
      if (next.done) this.ended = true;
      else if (next.value.length > 0) {
        // Decompressed bytes are what a zip bomb multiplies: each chunk is paid for as it arrives.
        this.budget.read(next.value.length, this.what);
        this.pending.push(next.value);
        this.pendingBytes += next.value.length;
      }
    }
  }

  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.pendingBytes === 0;
  }

  takeBuffered(length: number): Buffer | undefined {
    const first = this.pending[0];
    if (!first || first.length < length) return undefined;
    this.pending[0] = first.subarray(length);
    if (this.pending[0].length === 0) this.pending.shift();
    this.pendingBytes -= length;
    this.position += length;
    return first.subarray(0, length);
  }

  async peek(): Promise<number | undefined> {
    await this.fill(1);
    return this.pendingBytes === 0 ? undefined : this.pending[0][0];
  }

  async bytes(length: number): Promise<Buffer> {
    await this.fill(length);
    if (this.pendingBytes < length) throw truncated(this.position, length, this.position + this.pendingBytes);
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const result = all.subarray(0, length);
    const rest = all.subarray(length);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    this.position += length;
    return result;
  }

  async skip(length: number): Promise<void> {
    let left = length;
    while (left > 0) {
      const step = Math.min(left, WINDOW_BYTES);
      await this.bytes(step);
      left -= step;
    }
  }
}

/** A path that is not a regular file (a FIFO, socket or device, or a link to one): never opened for reading. */
export class NotARegularFile extends Error {
  constructor(
    readonly file: string,
    readonly kind: string,
  ) {
    super(`${file} is ${kind}, not a regular file: only regular files are inspected (reading ${kind === 'a folder' ? 'it' : 'one'} could block or never end). Name the weight file itself.`);
  }
}

export function fileKind(stats: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isDirectory(): boolean }): string {
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a folder';
  return 'a special file';
}

function truncated(position: number, length: number, end: number): FormatProblem {
  return new FormatProblem(`it ends at byte ${end}, but ${length} more byte(s) were expected at offset ${position} (truncated?)`);
}

/** A little-endian unsigned 64-bit size or count as a number, refusing values past 2^53 (no real size is). */
export function uint64(buffer: Buffer, offset = 0): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new FormatProblem(`a 64-bit size field holds ${value}, which no real file has`);
  return Number(value);
}
