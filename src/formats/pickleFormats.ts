import { createReadStream } from 'node:fs';
import path from 'node:path';
import { loadZlib } from '../core/lazyModules';
import { weightFormatOf } from '../core/weightFormats';
import { FormatProblem, StreamReader, type ByteSource, type FileReader } from './byteReader';
import { newPickleScanner, scanArchive } from './archiveScan';
import type { Inspection, InspectionSummary } from './inspection';
import { readNpyHeader } from './npyHeader';
import type { PickleScan } from './pickleScan';
import { ZipArchive } from './zipArchive';

const LISTED_IMPORTS = 30;

/** A bare pickle: .pkl, .joblib, or a PyTorch file in the legacy (pre-1.6) layout. */
export async function inspectPickleFile(reader: FileReader, file: string): Promise<Inspection> {
  return inspectPickleStream(reader, file, true);
}

/**
 * A file that may be a pickle without saying so (a .bin, a protocol 0 or 1 pickle, which starts
 * with no PROTO): a FormatProblem when its bytes do nothing a loader would run.
 */
export async function inspectPossiblePickle(reader: FileReader, file: string): Promise<Inspection> {
  return inspectPickleStream(reader, file, false);
}

async function inspectPickleStream(reader: FileReader, file: string, knownPickle: boolean): Promise<Inspection> {
  if (reader.size === 0) throw new FormatProblem('it is empty');
  const extension = path.extname(file).toLowerCase();
  const scanner = newPickleScanner();
  const compression = knownPickle ? compressionOf(await reader.peekAt(0, 16)) : undefined;
  const source: ByteSource = compression === 'zlib' || compression === 'gzip' ? decompressed(file, compression) : reader;
  if (compression && source === reader) {
    scanner.report({ severity: 'high', code: 'pickle.compressed', message: `it is compressed with ${compression}, which the scanner does not decompress; joblib.load unpickles what is inside`, where: 'offset 0' });
    scanner.markIncomplete();
  } else if (!(await scanner.scanStream(source, { knownPickle, label: compression ? `${compression}-decompressed data` : undefined }))) {
    throw new FormatProblem('it is neither a zip archive nor a pickle');
  }
  const scan = scanner.result();
  const format = extension === '.joblib' ? 'joblib' : weightFormatOf(file)?.inspector === 'torch' || scan.legacyTorch ? 'pytorch' : 'pickle';
  return {
    format,
    summary: { ...(format === 'pytorch' ? { layout: 'legacy pickle' } : {}), ...pickleScanSummary(scan) },
    findings: scan.findings,
  };
}

/** A PyTorch zip checkpoint (torch.save since 1.6, TorchScript): its members listed, every pickle in it scanned. */
export async function inspectTorchArchive(_reader: FileReader, file: string): Promise<Inspection> {
  const archive = await ZipArchive.open(file);
  try {
    if (archive.find((name) => name.endsWith('.pkl')).length === 0) throw new FormatProblem('the zip archive holds no data.pkl, so it is not a PyTorch checkpoint');
    const scanner = newPickleScanner();
    const pickles = await scanArchive(archive, scanner, { torch: true });
    const code = archive.find((name) => /(^|\/)code\//.test(name) && name.endsWith('.py'));
    if (code.length > 0) {
      scanner.report({ severity: 'medium', code: 'pytorch.torchscript-code', message: `holds ${code.length} TorchScript code file(s), which torch.jit.load compiles and runs`, where: code[0].fileName });
    }
    const storages = archive.find((name) => /(^|\/)data\/\d+$/.test(name));
    const scan = scanner.result();
    const summary: InspectionSummary = {
      layout: code.length > 0 ? 'torchscript zip' : 'zip',
      archiveMembers: archive.entries.length,
      storages: storages.length,
      storageBytes: storages.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
      pickles: pickles.join(', '),
      ...pickleScanSummary(scan),
    };
    return { format: 'pytorch', summary, findings: scan.findings };
  } finally {
    archive.close();
  }
}

/** A NumPy .npy array: its header, and the pickle that follows it when the dtype holds objects. */
export async function inspectNpy(reader: FileReader): Promise<Inspection> {
  const header = await readNpyHeader(reader);
  const shape = header.shape ? `(${header.shape.join(', ')}${header.shape.length === 1 ? ',' : ''})` : null;
  const summary: InspectionSummary = { dtype: header.descr, shape, fortranOrder: header.fortranOrder };
  if (!header.holdsPickle) return { format: 'npy', summary: { ...summary, holdsPickle: false }, findings: [] };
  const scanner = newPickleScanner();
  await scanner.scanStream(reader, { label: 'object array', knownPickle: true });
  const scan = scanner.result();
  return { format: 'npy', summary: { ...summary, holdsPickle: true, ...pickleScanSummary(scan) }, findings: scan.findings };
}

/**
 * Every pickle in a zip archive (an .npz, a .keras, any zip), for inspectors of zip-based formats:
 * their findings are merged with what the format's own inspector read.
 */
export async function scanZipFile(file: string, options: { torch?: boolean } = {}): Promise<{ summary: InspectionSummary; scan: PickleScan; members: number }> {
  const archive = await ZipArchive.open(file);
  try {
    const scanner = newPickleScanner();
    const pickles = await scanArchive(archive, scanner, options);
    const scan = scanner.result();
    return { summary: { picklesInArchive: pickles.length, ...(pickles.length > 0 ? pickleScanSummary(scan) : {}) }, scan, members: archive.entries.length };
  } finally {
    archive.close();
  }
}

/** A zip-based format's inspection (a .keras), with the findings and counts of the pickles in its members. */
export async function withArchivePickles(inspection: Inspection, file: string): Promise<Inspection> {
  const { summary, scan } = await scanZipFile(file);
  return { ...inspection, summary: { ...inspection.summary, ...summary }, findings: [...inspection.findings, ...scan.findings] };
}

/** A NumPy .npz: a zip of .npy arrays, any of which may hold a pickle. */
export async function inspectNpz(_reader: FileReader, file: string): Promise<Inspection> {
  const { summary, scan, members } = await scanZipFile(file);
  return { format: 'npz', summary: { arrays: members, ...summary }, findings: scan.findings };
}

/** joblib.dump(compress=…) writes the pickle through zlib, gzip, bz2, lzma or lz4; these are its magic numbers. */
function compressionOf(head: Buffer): string | undefined {
  if (head.length >= 2 && head[0] === 0x78 && ((head[0] << 8) | head[1]) % 31 === 0) return 'zlib';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.toString('latin1', 0, 3) === 'BZh' && head.toString('latin1', 4, 10) === '1AY&SY') return 'bz2';
  if (head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x184d2204) return 'lz4';
  return undefined;
}

/** More than any real model decompresses to: past it a small file could hold the scan for hours. */
const MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024 * 1024;

function decompressed(file: string, compression: 'zlib' | 'gzip'): ByteSource {
  const stream = createReadStream(file).pipe(compression === 'zlib' ? loadZlib().createInflate() : loadZlib().createGunzip());
  return new StreamReader(
    (async function* () {
      let total = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > MAX_DECOMPRESSED_BYTES) throw new FormatProblem(`it decompresses to more than ${MAX_DECOMPRESSED_BYTES} bytes`);
          yield chunk;
        }
      } catch (error) {
        if (error instanceof FormatProblem) throw error;
        throw new FormatProblem(`its ${compression} data is damaged (${(error as Error).message})`);
      } finally {
        stream.destroy();
      }
    })(),
  );
}

export function pickleScanSummary(scan: PickleScan): InspectionSummary {
  const imports = scan.imports;
  return {
    pickleImports: imports.slice(0, LISTED_IMPORTS).join(', ') + (imports.length > LISTED_IMPORTS ? ` … (${imports.length} in all)` : ''),
    pickleCalls: scan.calls,
    pickleOpcodes: scan.opcodes,
    pickleScanComplete: scan.complete,
  };
}
