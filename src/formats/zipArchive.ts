import type { Entry, ZipFile } from 'yauzl';
import { loadYauzl } from '../core/lazyModules';
import { FormatProblem, StreamReader } from './byteReader';
import { LimitReached, currentBudget, type InspectionBudget } from './inspectionBudget';

/** More members than any model archive has; past it the central directory alone would be too big. */
const MAX_ENTRIES = 200_000;
const ZIP_OPTIONS = { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true };

/**
 * A zip archive (PyTorch checkpoints, .keras files) read through yauzl, which reads the central
 * directory and opens members one at a time: listing a multi-GB archive reads kilobytes. Members
 * are inflated as they are read and every inflated byte is charged to the inspection's budget, so
 * a zip bomb (a few MB declaring gigabytes, or millions of members) stops at the limit instead of
 * running for minutes; each listed member is an entry of the budget too.
 */
export class ZipArchive {
  private readonly streams: { destroy(): void }[] = [];

  private constructor(
    private readonly zip: ZipFile,
    readonly entries: Entry[],
    private readonly budget: InspectionBudget,
  ) {}

  static async open(file: string): Promise<ZipArchive> {
    return ZipArchive.read(() => loadYauzl().openPromise(file, ZIP_OPTIONS));
  }

  /** An archive held in memory: a zip inside a zip (.npz in .keras), or bytes a pickle hands to torch.load. */
  static async fromBuffer(buffer: Buffer): Promise<ZipArchive> {
    return ZipArchive.read(() => loadYauzl().fromBufferPromise(buffer, ZIP_OPTIONS));
  }

  private static async read(openZip: () => Promise<ZipFile>): Promise<ZipArchive> {
    const budget = currentBudget();
    let zip: ZipFile;
    try {
      zip = await openZip();
    } catch (error) {
      throw new FormatProblem(`it is not a readable zip archive (${(error as Error).message})`);
    }
    const entries: Entry[] = [];
    try {
      if (zip.entryCount > MAX_ENTRIES) throw new FormatProblem(`its directory lists ${zip.entryCount} members, more than the ${MAX_ENTRIES} this reader accepts`);
      budget.entries(zip.entryCount, `its zip directory of ${zip.entryCount.toLocaleString('en-US')} members`);
      for await (const entry of zip.eachEntry()) {
        if (entries.length % 1024 === 0) budget.checkTime('listing its zip directory');
        entries.push(entry);
      }
    } catch (error) {
      zip.close();
      if (error instanceof FormatProblem || error instanceof LimitReached) throw error;
      throw new FormatProblem(`its zip directory is damaged (${(error as Error).message})`);
    }
    return new ZipArchive(zip, entries, budget);
  }

  close(): void {
    for (const stream of this.streams) stream.destroy();
    this.zip.close();
  }

  find(predicate: (name: string) => boolean): Entry[] {
    return this.entries.filter((entry) => !entry.fileName.endsWith('/') && predicate(entry.fileName));
  }

  /** A member's decompressed bytes, read forwards; damage shows as a FormatProblem. */
  async reader(entry: Entry): Promise<StreamReader> {
    let stream;
    try {
      stream = await this.zip.openReadStreamPromise(entry);
    } catch (error) {
      throw new FormatProblem(`its member ${entry.fileName} cannot be read (${(error as Error).message})`);
    }
    this.streams.push(stream);
    return new StreamReader(asFormatProblems(stream, entry.fileName), `inflating its member ${entry.fileName}`, this.budget);
  }

  /** Reads one member with `read`, then closes its stream (an archive may have thousands of members). */
  async withReader<T>(entry: Entry, read: (reader: StreamReader) => Promise<T>): Promise<T> {
    const reader = await this.reader(entry);
    const stream = this.streams[this.streams.length - 1];
    try {
      return await read(reader);
    } finally {
      stream.destroy();
      this.streams.splice(this.streams.indexOf(stream), 1);
    }
  }

  /** A small member's bytes (config.json), refusing members over `maxBytes` uncompressed. */
  async bytes(entry: Entry, maxBytes: number): Promise<Buffer> {
    if (entry.uncompressedSize > maxBytes) throw new FormatProblem(`its member ${entry.fileName} is ${entry.uncompressedSize} bytes, more than the ${maxBytes} this reader accepts`);
    const reader = await this.reader(entry);
    return reader.bytes(entry.uncompressedSize);
  }

  /** A small member's text, as `bytes`. */
  async text(entry: Entry, maxBytes: number): Promise<string> {
    return (await this.bytes(entry, maxBytes)).toString('utf8');
  }
}

async function* asFormatProblems(stream: AsyncIterable<Buffer>, name: string): AsyncIterable<Buffer> {
  try {
    yield* stream;
  } catch (error) {
    throw new FormatProblem(`its member ${name} is damaged (${(error as Error).message})`);
  }
}
