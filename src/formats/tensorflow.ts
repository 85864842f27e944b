import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ModelSignature, SignatureTensor } from '../core/signature';
import { FormatProblem, type FileReader } from './byteReader';
import type { Inspection, TensorInfo } from './inspection';
import { parseBoundedJson } from './boundedJson';
import { LimitReached } from './inspectionBudget';
import { kerasModelFacts } from './kerasModelConfig';
import { int64, readMessage, submessage, text, type WireValue } from './protobufWire';
import { listedTensors, product } from './tensorSummary';

/** A model.json is the topology and the weights manifest; the largest real ones are a few MB. */
const MAX_MODEL_JSON_BYTES = 32 * 1024 * 1024;

/** tensorflow DataType enum (types.proto), named as NumPy would. */
const TF_DTYPES: Record<number, string> = {
  1: 'float32', 2: 'float64', 3: 'int32', 4: 'uint8', 5: 'int16', 6: 'int8', 7: 'string', 8: 'complex64', 9: 'int64', 10: 'bool',
  14: 'bfloat16', 17: 'uint16', 18: 'complex128', 19: 'float16', 22: 'uint32', 23: 'uint64',
};
const tfDtype = (code: number): string => TF_DTYPES[code] ?? `type ${code}`;

/** Bytes per element in TF.js weight shards; quantized weights are stored in the quantization dtype. */
const TFJS_DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8, uint8: 1, uint16: 2, float16: 2 };

type TfjsWeightGroup = { paths?: unknown; weights?: { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: { dtype?: unknown } }[] };

interface TfjsModelJson {
  format?: unknown;
  generatedBy?: unknown;
  convertedBy?: unknown;
  modelTopology?: { model_config?: unknown; class_name?: unknown };
  weightsManifest?: TfjsWeightGroup[];
  signature?: { inputs?: Record<string, TfjsTensorInfo>; outputs?: Record<string, TfjsTensorInfo> };
}

interface TfjsTensorInfo {
  name?: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string }[]; unknownRank?: boolean };
}

/**
 * TensorFlow.js `model.json`: the topology and a weights manifest naming each weight's shape and the
 * shard files that hold them; or a bare weights manifest (`*weights_manifest.json`, the array that
 * tf.io.loadWeights reads). A model.json that is neither (another tool's file) is 'unknown'.
 */
export async function inspectTfjs(reader: FileReader, file: string): Promise<Inspection> {
  if (reader.size > MAX_MODEL_JSON_BYTES) throw new LimitReached('readBytes', MAX_MODEL_JSON_BYTES, `a model.json of ${reader.size.toLocaleString('en-US')} bytes`);
  let model = parseBoundedJson(await reader.bytes(reader.size), 'it') as TfjsModelJson;
  const bareManifest = Array.isArray(model);
  if (bareManifest) model = { format: 'weights-manifest', weightsManifest: model as TfjsWeightGroup[] };
  if (typeof model !== 'object' || model === null || (!model.modelTopology && !model.weightsManifest)) return { format: 'unknown', summary: {}, findings: [] };
  const tensors: TensorInfo[] = [];
  const shards: string[] = [];
  let parameterCount = 0;
  let weightBytes = 0;
  for (const group of Array.isArray(model.weightsManifest) ? model.weightsManifest : []) {
    if (Array.isArray(group.paths)) shards.push(...group.paths.filter((shard): shard is string => typeof shard === 'string'));
    for (const weight of Array.isArray(group.weights) ? group.weights : []) {
      const shape = Array.isArray(weight.shape) && weight.shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0) ? (weight.shape as number[]) : [];
      parameterCount += product(shape);
      weightBytes += product(shape) * (TFJS_DTYPE_BYTES[String(weight.quantization?.dtype ?? weight.dtype)] ?? 0);
      tensors.push({ name: String(weight.name), dtype: String(weight.dtype), shape });
    }
  }
  const missing = shards.filter((shard) => !existsSync(path.resolve(path.dirname(file), shard)));
  const shardBytes = shards.filter((shard) => !missing.includes(shard)).reduce((sum, shard) => sum + statSync(path.resolve(path.dirname(file), shard)).size, 0);
  const topology = model.modelTopology?.model_config ?? (model.modelTopology?.class_name ? model.modelTopology : undefined);
  const layers = topology ? kerasModelFacts(topology) : undefined;
  const { summary, findings } = layers ?? { summary: {}, findings: [] };
  const signature = model.signature ? { inputs: tfjsTensors(model.signature.inputs), outputs: tfjsTensors(model.signature.outputs) } : layers?.signature;
  return {
    format: 'tfjs',
    summary: {
      modelFormat: typeof model.format === 'string' ? model.format : null,
      generatedBy: typeof model.generatedBy === 'string' ? model.generatedBy : null,
      convertedBy: typeof model.convertedBy === 'string' ? model.convertedBy : null,
      ...summary,
      shards: shards.length,
      // Equal when the manifest describes its shards exactly.
      weightBytes,
      shardBytes,
      missingShards: missing.length > 0 ? missing.join(', ') : null,
    },
    parameterCount,
    tensorCount: tensors.length,
    tensors: listedTensors(tensors),
    ...(signature ? { signature } : {}),
    findings,
  };
}

function tfjsTensors(map: Record<string, TfjsTensorInfo> | undefined): SignatureTensor[] {
  return Object.entries(map ?? {}).map(([name, info]) => ({
    name,
    elementType: (info.dtype ?? 'unknown').replace(/^DT_/, '').toLowerCase().replace(/^float$/, 'float32').replace(/^double$/, 'float64').replace(/^half$/, 'float16'),
    shape: (info.tensorShape?.dim ?? []).map((dim) => (dim.size === undefined || Number(dim.size) < 0 ? null : Number(dim.size))),
  }));
}

/**
 * A SavedModel's `saved_model.pb`: tags, TensorFlow version and the `serving_default` signature,
 * read from the protobuf in place (graph_def is skipped), plus the size of the `variables` folder
 * beside it.
 */
export async function inspectSavedModel(reader: FileReader, file: string): Promise<Inspection> {
  const tags: string[] = [];
  const signatures = new Map<string, ModelSignature>();
  let tensorflowVersion: string | null = null;
  let schemaVersion: number | null = null;
  let metaGraphs = 0;
  await readMessage(reader, reader.size, async (field, value) => {
    if (field === 1) schemaVersion = int64(value);
    if (field !== 2) return;
    metaGraphs++;
    await submessage(reader, value, async (f, v) => {
      if (f === 1) {
        await submessage(reader, v, async (mf, mv) => {
          if (mf === 4) tags.push(await text(reader, mv, 256));
          if (mf === 5) tensorflowVersion = await text(reader, mv, 256);
        }, 2);
      } else if (f === 5) {
        const [key, signature] = await signatureEntry(v);
        signatures.set(key, signature);
      }
    });
  });
  if (metaGraphs === 0) throw new FormatProblem('it holds no MetaGraphDef, so it is not a SavedModel');
  const variables = folderSize(path.join(path.dirname(file), 'variables'));
  const serving = signatures.get('serving_default') ?? (signatures.size === 1 ? [...signatures.values()][0] : undefined);
  return {
    format: 'savedmodel',
    summary: {
      schemaVersion,
      tensorflowVersion,
      tags: [...new Set(tags)].join(', '),
      signatures: [...signatures.keys()].join(', '),
      variablesFiles: variables.files,
      variablesBytes: variables.bytes,
    },
    ...(serving ? { signature: serving } : {}),
    findings: [],
  };

  async function signatureEntry(value: WireValue): Promise<[string, ModelSignature]> {
    let key = '';
    const signature: ModelSignature = { inputs: [], outputs: [] };
    await submessage(reader, value, async (f, v) => {
      if (f === 1) key = await text(reader, v, 1024);
      if (f === 2) {
        await submessage(reader, v, async (sf, sv) => {
          if (sf === 1) signature.inputs.push(await tensorInfoEntry(sv));
          if (sf === 2) signature.outputs.push(await tensorInfoEntry(sv));
        }, 4);
      }
    }, 3);
    return [key, signature];
  }

  async function tensorInfoEntry(value: WireValue): Promise<SignatureTensor> {
    const tensor: SignatureTensor = { name: '', elementType: 'unknown', shape: [] };
    await submessage(reader, value, async (f, v) => {
      if (f === 1) tensor.name = await text(reader, v, 1024);
      if (f === 2) {
        await submessage(reader, v, async (tf, tv) => {
          if (tf === 2) tensor.elementType = tfDtype(int64(tv));
          if (tf === 3) {
            await submessage(reader, tv, async (shapeField, shapeValue) => {
              if (shapeField !== 2) return;
              let size: number | null = null;
              await submessage(reader, shapeValue, (df, dv) => {
                if (df === 1) size = int64(dv);
              }, 8);
              tensor.shape.push(size !== null && size >= 0 ? size : null);
            }, 7);
          }
        }, 6);
      }
    }, 5);
    return tensor;
  }
}

function folderSize(folder: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  if (!existsSync(folder)) return { files, bytes };
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    files++;
    bytes += statSync(path.join(folder, entry.name)).size;
  }
  return { files, bytes };
}
