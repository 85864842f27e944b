import { stat } from 'node:fs/promises';
import path from 'node:path';
import { RegistryError, throwIfCancelled } from '../core/registryError';
import type { ModelSignature } from '../core/signature';
import { WEIGHT_FORMATS } from '../core/weightFormats';
import { FileReader, FormatProblem, NotARegularFile, fileKind } from './byteReader';
import type { Inspection } from './inspection';
import { InspectionBudget, LimitReached, stoppedAt, withBudget, type InspectionLimits } from './inspectionBudget';
import { recordedInspection } from './recordedInspection';
import { inspectTflite } from './tflite';
import { inspectGguf } from './gguf';
import { inspectHdf5, inspectKerasArchive } from './keras';
import { inspectOnnx } from './onnx';
import { isPickleOpcode } from './pickleMachine';
import { inspectNpy, inspectNpz, inspectPickleFile, inspectPossiblePickle, inspectTorchArchive, scanZipFile, withArchivePickles } from './pickleFormats';
import { inspectSafetensors } from './safetensors';
import { inspectSavedModel, inspectTfjs } from './tensorflow';
import { inspectMlflowModel } from './mlflowModel';

type Inspector = (reader: FileReader, file: string) => Promise<Inspection>;

/** Keyed by what detectFormat answers; an inspector may report a finer format ('joblib'). */
const INSPECTORS: Record<string, Inspector> = {
  safetensors: inspectSafetensors,
  gguf: inspectGguf,
  onnx: inspectOnnx,
  pickle: inspectPickleFile,
  'possible-pickle': inspectPossiblePickle,
  'pytorch-zip': inspectTorchArchive,
  npy: inspectNpy,
  npz: inspectNpz,
  zip: async (_reader, file) => {
    const { summary, scan, members } = await scanZipFile(file);
    return { format: 'zip', summary: { archiveMembers: members, ...summary }, findings: scan.findings };
  },
  keras: inspectKerasArchive,
  h5: inspectHdf5,
  tfjs: inspectTfjs,
  savedmodel: inspectSavedModel,
  tflite: inspectTflite,
  'mlflow-model': inspectMlflowModel,
};

/** The inspector to read a file with, by its extension (core/weightFormats.ts); PyTorch's are told apart by their bytes. */
const EXTENSIONS: Record<string, string> = Object.fromEntries(
  WEIGHT_FORMATS.flatMap((format) => (format.inspector && format.inspector !== 'torch' ? format.extensions.map((extension) => [extension, format.inspector!]) : [])),
);

/** Formats that are one file of a folder, known by the file's name. */
const FILE_NAMES: Record<string, string> = {
  'model.json': 'tfjs',
  'saved_model.pb': 'savedmodel',
  mlmodel: 'mlflow-model',
};

/** Formats whose inspector scans every member of the zip itself. */
const ARCHIVES_SCANNED_WHOLE = new Set(['pytorch-zip', 'npz', 'zip']);

/** PyTorch's extensions: a zip archive since torch 1.6, a bare pickle before. */
const TORCH_EXTENSIONS = new Set(WEIGHT_FORMATS.filter((format) => format.inspector === 'torch').flatMap((format) => format.extensions));

const HEAD_BYTES = 64;

/**
 * Reads what a weight file says about itself, choosing the format by name, then by magic bytes.
 * Never executes or unpickles anything; reads headers and ranges through one file handle, so memory
 * stays bounded whatever the file's size. A format it does not know gives `format: 'unknown'`.
 * A file that claims a known format but is corrupt or truncated is a RegistryError ('CORRUPT')
 * naming the file. Every inspection runs under `limits` (see InspectionLimits): one that reaches a
 * limit records what it could and an `inspection.limit` finding. A FIFO, socket or device (or a
 * link to one) is refused ('INVALID_INPUT') before anything is read from it.
 */
export async function inspectArtifact(file: string, limits: Partial<InspectionLimits> = {}): Promise<Inspection> {
  const result = await inspectOrExplain(file, limits);
  if ('problem' in result) throw new RegistryError('CORRUPT', `${file} is ${result.problem}. Re-export or re-download it.`);
  return result.inspection;
}

/** An inspection, or why the file cannot be inspected ("not a readable onnx file: …"), within the limits. */
async function inspectOrExplain(file: string, limits: Partial<InspectionLimits> = {}): Promise<{ inspection: Inspection } | { format: string; problem: string }> {
  const budget = new InspectionBudget(limits);
  const result = await withBudget(budget, () => inspectUnbounded(file));
  return 'inspection' in result ? { inspection: recordedInspection(result.inspection, budget.limits.recordedBytes) } : result;
}

async function inspectUnbounded(file: string): Promise<{ inspection: Inspection } | { format: string; problem: string }> {
  let reader: FileReader;
  try {
    // Checked before opening: opening a FIFO blocks until something writes to it.
    const stats = await stat(file);
    if (!stats.isFile()) throw new NotARegularFile(file, fileKind(stats));
    reader = await FileReader.open(file);
  } catch (error) {
    if (error instanceof NotARegularFile) throw new RegistryError('INVALID_INPUT', error.message);
    throw new RegistryError('IO', `Cannot read ${file} to inspect it: ${(error as Error).message}`);
  }
  let format = 'unknown';
  let claimed = false;
  try {
    const head = await reader.peekAt(0, HEAD_BYTES);
    ({ format, claimed } = detectFormat(file, head));
    if (head.toString('latin1').startsWith('version https://git-lfs.github.com/spec/')) {
      return { format, problem: "a Git LFS pointer, not the model itself: run 'git lfs pull' first" };
    }
    const inspector = INSPECTORS[format];
    const inspection = inspector ? await inspector(reader, file) : unknownFormat();
    // Any member of a zip-based format may be a pickle some loader runs (an .npz in a .keras).
    if (isZip(head) && !ARCHIVES_SCANNED_WHOLE.has(format)) return { inspection: await withArchivePickles(inspection, file) };
    return { inspection };
  } catch (error) {
    const name = format === 'pytorch-zip' || format === 'possible-pickle' ? 'pytorch' : format;
    if (error instanceof LimitReached) return { inspection: { ...unknownFormat(), format: name, findings: [stoppedAt(error)] } };
    // A format guessed from a few bytes, that the rest of the file does not bear out, was a wrong guess.
    if (error instanceof FormatProblem && !claimed) return { inspection: unknownFormat() };
    if (error instanceof FormatProblem) {
      return { format: name, problem: `not a readable ${name} file: ${error.message}` };
    }
    throw error;
  } finally {
    await reader.close();
  }
}

export function unknownFormat(): Inspection {
  return { format: 'unknown', summary: {}, findings: [] };
}

/** The format to read `file` as, and whether its name claims it (else a guess from its first bytes). */
function detectFormat(file: string, head: Buffer): { format: string; claimed: boolean } {
  const extension = path.extname(file).toLowerCase();
  const name = path.basename(file).toLowerCase();
  const byName = FILE_NAMES[name] ?? (name.endsWith('weights_manifest.json') ? 'tfjs' : EXTENSIONS[extension]);
  if (byName) return { format: byName, claimed: true };
  // A .bin is anybody's format; a .pt, .pth or .ckpt claims to be PyTorch's.
  const claimed = TORCH_EXTENSIONS.has(extension) && extension !== '.bin';
  if (TORCH_EXTENSIONS.has(extension) && isZip(head)) return { format: 'pytorch-zip', claimed };
  if (head.toString('latin1', 0, 4) === 'GGUF') return { format: 'gguf', claimed };
  if (head.toString('latin1', 4, 8) === 'TFL3') return { format: 'tflite', claimed };
  // Named neither .pkl nor .joblib, a file starting with PROTO is a pickle only if it does something before it fails.
  if (isPickle(head)) return { format: 'possible-pickle', claimed };
  if (looksLikeSafetensors(head)) return { format: 'safetensors', claimed };
  if (isZip(head)) return { format: 'zip', claimed };
  // Protocol 0 and 1 pickles start with no PROTO: torch.load and pickle.load run them all the same.
  if (head.length > 0 && isPickleOpcode(head[0])) return { format: 'possible-pickle', claimed };
  return { format: claimed ? 'pytorch-zip' : 'unknown', claimed };
}

function isZip(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === 0x04034b50;
}

/** PROTO 0–5: how every pickle written at protocol 2 or more starts (CPython accepts PROTO 0 and 1 too). */
function isPickle(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x80 && head[1] <= 5;
}

/** An 8-byte header length that fits the file, then a JSON object: what other format starts so? */
function looksLikeSafetensors(head: Buffer): boolean {
  return head.length >= 10 && head.readBigUInt64LE(0) < 100_000_000n && head[8] === 0x7b && (head[9] === 0x22 || head[9] === 0x7d);
}

/**
 * Inspects the files of a version being registered, keyed by artifact path; files of unknown
 * formats are left out (their manifest entry records size and hash only). A corrupt file does not
 * stop registration — registries record the bytes they are given, and an inspector may lag behind
 * a format — but its inspection records the problem in `error`, and `mreg register` warns.
 */
export async function inspectArtifactFiles(files: readonly { artifactPath: string; file: string }[], signal?: AbortSignal, limits: Partial<InspectionLimits> = {}): Promise<Map<string, Inspection>> {
  const inspections = new Map<string, Inspection>();
  for (const { artifactPath, file } of files) {
    throwIfCancelled(signal);
    const result = await inspectOrExplain(file, limits);
    if ('problem' in result) inspections.set(artifactPath, { ...unknownFormat(), format: result.format, error: result.problem });
    else if (result.inspection.format !== 'unknown') inspections.set(artifactPath, result.inspection);
  }
  return inspections;
}

/** The version's signature: the one its weight files agree on, when exactly one of them has one. */
export function versionSignature(inspections: Iterable<Inspection>): ModelSignature | undefined {
  const all = [...inspections];
  // An MLflow model folder says what its pyfunc takes and returns: that wins over the weight file's own tensors.
  const declared = all.filter((inspection) => inspection.format === 'mlflow-model' && inspection.signature);
  const signatures = (declared.length > 0 ? declared : all).flatMap((inspection) => (inspection.signature ? [inspection.signature] : []));
  return signatures.length === 1 ? signatures[0] : undefined;
}
