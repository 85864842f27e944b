import { parseBoundedJson } from './boundedJson';
import { FormatProblem, type FileReader } from './byteReader';
import type { Inspection } from './inspection';
import { LimitReached } from './inspectionBudget';
import { kerasModelFacts } from './kerasModelConfig';
import { ZipArchive } from './zipArchive';

/** A model's config.json is a few MiB at most, even for hundreds of layers. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Keras 3 `.keras`: a zip of config.json (the architecture), metadata.json and model.weights.h5. */
export async function inspectKerasArchive(_reader: FileReader, file: string): Promise<Inspection> {
  const archive = await ZipArchive.open(file);
  try {
    const [config] = archive.find((name) => name === 'config.json');
    if (!config) throw new FormatProblem('the zip archive holds no config.json, so it is not a Keras model');
    const modelConfig = parseBoundedJson(await memberBytes(archive, config, MAX_CONFIG_BYTES), 'its config.json');
    const [metadataEntry] = archive.find((name) => name === 'metadata.json');
    const metadata = metadataEntry ? (parseBoundedJson(await memberBytes(archive, metadataEntry, 1024 * 1024), 'its metadata.json') as Record<string, unknown>) : {};
    const weights = archive.find((name) => name.endsWith('.h5') || name.endsWith('.npz'));
    const { summary, findings, parameterCount, signature } = kerasModelFacts(modelConfig);
    return {
      format: 'keras',
      summary: {
        ...summary,
        kerasVersion: typeof metadata?.keras_version === 'string' ? metadata.keras_version : null,
        dateSaved: typeof metadata?.date_saved === 'string' ? metadata.date_saved : null,
        weightsBytes: weights.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
      },
      ...(parameterCount !== undefined ? { parameterCount } : {}),
      ...(signature ? { signature } : {}),
      findings,
    };
  } finally {
    archive.close();
  }
}

/** A member's bytes; past `maxBytes` (declared or real) is a limit reached, not a corrupt file. */
async function memberBytes(archive: ZipArchive, entry: Parameters<ZipArchive['text']>[0], maxBytes: number): Promise<Buffer> {
  if (entry.uncompressedSize > maxBytes) throw new LimitReached('readBytes', maxBytes, `its member ${entry.fileName} (${entry.uncompressedSize.toLocaleString('en-US')} bytes)`);
  return archive.bytes(entry, maxBytes);
}

const HDF5_SIGNATURE = Buffer.from('\x89HDF\r\n\x1a\n', 'latin1');
/** Keras writes model_config as one JSON string attribute on the root group, near the file's start. */
const MODEL_CONFIG_SEARCH_BYTES = 64 * 1024 * 1024;
/** tf.keras writes `{"class_name": …`, Keras 3's legacy .h5 `{"module": "keras", …`. */
const MODEL_CONFIG_START = /\{"(class_name|module)": "/g;
const OVERLAP = 16;

/**
 * Keras 2 / tf.keras `.h5`. Parsing HDF5's object headers and heaps is a project of its own, so this
 * checks the HDF5 signature and looks, in the first 64 MiB, for the JSON text of the root group's
 * `model_config` attribute, which h5py stores uncompressed as a fixed-length string. Files saved
 * with save_weights() (no architecture) give `modelConfig: false`, not an error.
 */
export async function inspectHdf5(reader: FileReader): Promise<Inspection> {
  const signatureAt = await findSignature(reader);
  if (signatureAt === undefined) throw new FormatProblem('it has no HDF5 signature at offset 0, 512, 1024 or 2048');
  const end = Math.min(reader.size, MODEL_CONFIG_SEARCH_BYTES);
  const chunk = 4 * 1024 * 1024;
  let candidates = 0;
  for (let start = signatureAt; start < end; start += chunk - OVERLAP) {
    const window = (await reader.peekAt(start, Math.min(chunk, end - start))).toString('latin1');
    for (const match of window.matchAll(MODEL_CONFIG_START)) {
      const at = match.index;
      // Layer and optimizer configs nested in the attributes start the same way: a bounded number of tries.
      if (++candidates > MAX_CANDIDATES) return { format: 'h5', summary: { modelConfig: false }, findings: [] };
      const config = await jsonObjectAt(reader, start + at);
      if (isModelConfig(config)) {
        const { summary, findings, parameterCount, signature } = kerasModelFacts(config);
        return { format: 'h5', summary: { modelConfig: true, ...summary }, ...(parameterCount !== undefined ? { parameterCount } : {}), ...(signature ? { signature } : {}), findings };
      }
    }
    if (start + chunk >= end) break;
  }
  return { format: 'h5', summary: { modelConfig: false }, findings: [] };
}

const MAX_CANDIDATES = 16;

function isModelConfig(config: unknown): boolean {
  const model = config as { class_name?: unknown; config?: { layers?: unknown } } | undefined;
  return typeof model === 'object' && model !== null && (Array.isArray(model.config?.layers) || ['Sequential', 'Functional', 'Model'].includes(String(model.class_name)));
}

async function findSignature(reader: FileReader): Promise<number | undefined> {
  for (const offset of [0, 512, 1024, 2048]) {
    if ((await reader.peekAt(offset, 8)).equals(HDF5_SIGNATURE)) return offset;
  }
  return undefined;
}

/** The JSON object starting at `position`, if its braces close within 16 MiB and it parses. */
async function jsonObjectAt(reader: FileReader, position: number): Promise<unknown> {
  // Read in growing windows: most candidates close within kilobytes, and 16 candidates of 16 MiB
  // each would be a quarter of a gigabyte read for nothing.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let window = 64 * 1024;
  let scanned = 0;
  for (;;) {
    const text = await reader.peekAt(position, window);
    for (let i = scanned; i < text.length; i++) {
      const byte = text[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === 0x5c) escaped = true;
        else if (byte === 0x22) inString = false;
      } else if (byte === 0x22) inString = true;
      else if (byte === 0x7b || byte === 0x5b) depth++;
      else if (byte === 0x7d || byte === 0x5d) {
        depth--;
        if (depth === 0) {
          try {
            return parseBoundedJson(text.subarray(0, i + 1), 'its model_config');
          } catch (error) {
            if (error instanceof FormatProblem) return undefined;
            throw error;
          }
        }
      } else if (byte === 0) return undefined;
    }
    scanned = text.length;
    if (text.length < window || window >= MAX_MODEL_CONFIG_BYTES) return undefined;
    window = Math.min(window * 4, MAX_MODEL_CONFIG_BYTES);
  }
}

const MAX_MODEL_CONFIG_BYTES = 16 * 1024 * 1024;
