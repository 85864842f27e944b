import type { Entry } from 'yauzl';
import { FormatProblem } from './byteReader';
import { NPY_MAGIC, readNpyHeader } from './npyHeader';
import { PickleScanner } from './pickleScan';
import { ZipArchive } from './zipArchive';

/** Members whose names say a loader unpickles them; others count when their bytes are a complete pickle. */
const PICKLE_NAME = /\.(pkl|pickle|joblib|pt|pth|ckpt|bin|dat|p)$/i;
/** A zip inside a zip (.npz in .keras) is read into memory to be opened: up to this size. */
const MAX_NESTED_ZIP_BYTES = 64 * 1024 * 1024;
const MAX_ZIP_DEPTH = 3;

export interface ArchiveScanOptions {
  /** torch.load reads it: `data/N` members are raw tensor bytes. */
  torch?: boolean;
  /** Names the archive inside another one in findings: 'model.weights.npz: '. */
  prefix?: string;
  depth?: number;
}

/** A scanner for one file whose re-unpicklers may hand it zip bytes (torch.load of a zip checkpoint). */
export function newPickleScanner(): PickleScanner {
  const scanner: PickleScanner = new PickleScanner(async (data, label) => {
    const archive = await openNested(scanner, data, label);
    if (!archive) return;
    try {
      await scanArchive(archive, scanner, { torch: true, prefix: `${label}: `, depth: 1 });
    } finally {
      archive.close();
    }
  });
  return scanner;
}

/**
 * Scans every member of a zip archive a loader could unpickle: members named like pickles or
 * starting with PROTO, any member that is a complete pickle, .npy arrays with object dtype (their
 * data is a pickle numpy.load runs with allow_pickle), and zips inside (an .npz in a .keras).
 * Duplicate member names are a finding: Python's zipfile reads the last, other tools the first.
 * Returns the names of the members that held pickles.
 */
export async function scanArchive(archive: ZipArchive, scanner: PickleScanner, options: ArchiveScanOptions = {}): Promise<string[]> {
  const prefix = options.prefix ?? '';
  const depth = options.depth ?? 0;
  const counts = new Map<string, number>();
  for (const entry of archive.entries) counts.set(entry.fileName, (counts.get(entry.fileName) ?? 0) + 1);
  for (const [name, count] of counts) {
    if (count > 1) scanner.report({ severity: 'high', code: 'zip.duplicate-member', message: `holds ${count} members named ${name}: Python's zipfile reads the last, other tools the first`, where: `${prefix}${name}` });
  }
  const pickles: string[] = [];
  const torchScript = options.torch === true && archive.entries.some((entry) => /(^|\/)code\/.*\.py$/.test(entry.fileName));
  for (const entry of archive.entries) {
    if (entry.uncompressedSize === 0) continue;
    if (options.torch && /(^|\/)data\/\d+$/.test(entry.fileName)) continue; // raw tensor bytes, which torch.load never unpickles
    const label = `${prefix}${entry.fileName}`;
    const head = await archive.withReader(entry, (reader) => reader.bytes(Math.min(8, entry.uncompressedSize)));
    if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) {
      pickles.push(...(await scanNestedZip(archive, entry, scanner, label, depth)));
      continue;
    }
    const held = await archive.withReader(entry, async (reader) => {
      if (head.length >= 6 && head.subarray(0, 6).equals(NPY_MAGIC)) {
        let header;
        try {
          header = await readNpyHeader(reader);
        } catch (error) {
          if (!(error instanceof FormatProblem)) throw error;
          scanner.report({ severity: 'low', code: 'npy.unreadable', message: `an .npy member numpy.load cannot read: ${error.message}`, where: label });
          return false;
        }
        return header.holdsPickle && scanner.scanStream(reader, { label: `${label} (object array)`, knownPickle: true });
      }
      const knownPickle = PICKLE_NAME.test(entry.fileName) || (head[0] === 0x80 && head.length > 1 && head[1] <= 5);
      return scanner.scanStream(reader, { label, knownPickle, completeOnly: !knownPickle, torchScript });
    });
    if (held) pickles.push(label);
  }
  return pickles;
}

async function scanNestedZip(archive: ZipArchive, entry: Entry, scanner: PickleScanner, label: string, depth: number): Promise<string[]> {
  if (depth >= MAX_ZIP_DEPTH || entry.uncompressedSize > MAX_NESTED_ZIP_BYTES) {
    scanner.report({
      severity: 'high',
      code: 'zip.nested-unscanned',
      message: depth >= MAX_ZIP_DEPTH ? `a zip nested more than ${MAX_ZIP_DEPTH} deep was not scanned` : `a zip inside the archive (${entry.uncompressedSize} bytes) is larger than the ${MAX_NESTED_ZIP_BYTES} bytes scanned in memory; its members were not scanned`,
      where: label,
    });
    return [];
  }
  const data = await archive.withReader(entry, (reader) => reader.bytes(entry.uncompressedSize));
  const nested = await openNested(scanner, Buffer.from(data), label);
  if (!nested) return [];
  try {
    return await scanArchive(nested, scanner, { prefix: `${label}: `, depth: depth + 1 });
  } finally {
    nested.close();
  }
}

async function openNested(scanner: PickleScanner, data: Buffer, label: string): Promise<ZipArchive | undefined> {
  try {
    return await ZipArchive.fromBuffer(data);
  } catch (error) {
    if (!(error instanceof FormatProblem)) throw error;
    scanner.report({ severity: 'medium', code: 'zip.unreadable', message: `a zip inside it cannot be read (${error.message}), so its members were not scanned`, where: label });
    return undefined;
  }
}
