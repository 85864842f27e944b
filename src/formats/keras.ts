import { FormatProblem, type FileReader } from './byteReader';
import type { Inspection, InspectionSummary, SecurityFinding } from './inspection';
import { ZipArchive } from './zipArchive';

/** A model's config.json is a few MiB at most, even for hundreds of layers. */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** Keras 3 `.keras`: a zip of config.json (the architecture), metadata.json and model.weights.h5. */
export async function inspectKerasArchive(_reader: FileReader, file: string): Promise<Inspection> {
  const archive = await ZipArchive.open(file);
  try {
    const [config] = archive.find((name) => name === 'config.json');
    if (!config) throw new FormatProblem('the zip archive holds no config.json, so it is not a Keras model');
    const modelConfig = parseJson(await archive.text(config, MAX_CONFIG_BYTES), 'config.json');
    const [metadataEntry] = archive.find((name) => name === 'metadata.json');
    const metadata = metadataEntry ? (parseJson(await archive.text(metadataEntry, 1024 * 1024), 'metadata.json') as Record<string, unknown>) : {};
    const weights = archive.find((name) => name.endsWith('.h5') || name.endsWith('.npz'));
    const { summary, findings } = modelConfigFacts(modelConfig);
    return {
      format: 'keras',
      summary: {
        ...summary,
        kerasVersion: typeof metadata.keras_version === 'string' ? metadata.keras_version : null,
        dateSaved: typeof metadata.date_saved === 'string' ? metadata.date_saved : null,
        weightsBytes: weights.reduce((sum, entry) => sum + entry.uncompressedSize, 0),
      },
      findings,
    };
  } finally {
    archive.close();
  }
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
        const { summary, findings } = modelConfigFacts(config);
        return { format: 'h5', summary: { modelConfig: true, ...summary }, findings };
      }
    }
    if (start + chunk >= end) break;
  }
  return { format: 'h5', summary: { modelConfig: false }, findings: [] };
}

const MAX_CANDIDATES = 16;

function isModelConfig(config: unknown): boolean {
  const model = config as LayerConfig | undefined;
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
  const text = await reader.peekAt(position, 16 * 1024 * 1024);
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) depth++;
    else if (byte === 0x7d || byte === 0x5d) {
      depth--;
      if (depth === 0) {
        try {
          return JSON.parse(text.toString('utf8', 0, i + 1));
        } catch {
          return undefined;
        }
      }
    } else if (byte === 0) return undefined;
  }
  return undefined;
}

function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FormatProblem(`its ${name} is not valid JSON (${(error as Error).message})`);
  }
}

interface LayerConfig {
  class_name?: unknown;
  config?: { name?: unknown; layers?: unknown };
}

/**
 * The architecture class and layer count of a Keras model config, and its Lambda layers: they
 * carry Python bytecode that runs when the model is loaded (Keras refuses them in safe_mode).
 */
export function modelConfigFacts(config: unknown): { summary: InspectionSummary; findings: SecurityFinding[] } {
  const model = (config ?? {}) as LayerConfig;
  const layers = Array.isArray(model.config?.layers) ? (model.config.layers as unknown[]) : undefined;
  const findings: SecurityFinding[] = [];
  const lambdas = new Set<string>();
  const visit = (node: unknown, depth: number): void => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((child) => visit(child, depth + 1));
    const layer = node as LayerConfig;
    if (layer.class_name === 'Lambda') lambdas.add(typeof layer.config?.name === 'string' ? layer.config.name : '(unnamed)');
    for (const child of Object.values(node)) visit(child, depth + 1);
  };
  visit(config, 0);
  for (const name of lambdas) {
    findings.push({ severity: 'high', code: 'keras.lambda-layer', message: `holds a Lambda layer '${name}' whose Python code runs when the model is loaded`, where: `layer ${name}` });
  }
  return {
    summary: {
      architecture: typeof model.class_name === 'string' ? model.class_name : null,
      name: typeof model.config?.name === 'string' ? model.config.name : null,
      layers: layers ? layers.length : null,
    },
    findings,
  };
}
