import { FormatProblem, type ByteSource } from './byteReader';

/** What an .npy file's header says: numpy.lib.format, versions 1.0–3.0. */
export interface NpyHeader {
  /** The dtype descriptor as written: '<f8', '|O', or a structured dtype's list. */
  descr: string;
  shape: number[] | null;
  fortranOrder: boolean;
  /** Object arrays (or structured dtypes with an object field) are stored as a pickle after the header. */
  holdsPickle: boolean;
}

export const NPY_MAGIC = Buffer.from('\x93NUMPY', 'latin1');
/** numpy reads headers of at most 10,000 bytes unless allow_pickle; far more than any real header. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** Reads the header at the start of `source`, leaving it at the first byte of the data. */
export async function readNpyHeader(source: ByteSource): Promise<NpyHeader> {
  const start = await source.bytes(8);
  if (!start.subarray(0, 6).equals(NPY_MAGIC)) throw new FormatProblem('it does not start with the .npy magic \\x93NUMPY');
  const major = start[6];
  if (major < 1 || major > 3) throw new FormatProblem(`its .npy format version ${major}.${start[7]} is not one numpy writes (1.0–3.0)`);
  const length = major === 1 ? (await source.bytes(2)).readUInt16LE(0) : (await source.bytes(4)).readUInt32LE(0);
  if (length > MAX_HEADER_BYTES) throw new FormatProblem(`its .npy header claims ${length} bytes, more than the ${MAX_HEADER_BYTES} this reader accepts`);
  const text = (await source.bytes(length)).toString(major === 3 ? 'utf8' : 'latin1');
  return parseHeader(text);
}

/** The header is a Python dict literal: {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }. */
function parseHeader(text: string): NpyHeader {
  const descr = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(text)?.[2] ?? /['"]descr['"]\s*:\s*(\[.*\])\s*,\s*['"](?:fortran_order|shape)/s.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined) throw new FormatProblem(`its .npy header is not the dict numpy writes: ${JSON.stringify(text.slice(0, 120))}`);
  const dims = shapeText?.split(',').map((part) => part.trim()).filter((part) => part !== '');
  const shape = dims && dims.every((dim) => /^\d+L?$/.test(dim)) ? dims.map((dim) => Number.parseInt(dim, 10)) : null;
  // An object dtype anywhere: '|O', 'O', '<O8' alone or as a field type in a structured dtype's list.
  const holdsPickle = descr.startsWith('[') ? /['"][<>|=]?O\d*['"]/.test(descr) : /^[<>|=]?O\d*$/.test(descr);
  return { descr, shape, fortranOrder: fortran === 'True', holdsPickle };
}
