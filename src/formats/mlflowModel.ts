import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../core/lazyModules';
import type { ModelSignature, SignatureTensor } from '../core/signature';
import { FormatProblem, type FileReader } from './byteReader';
import type { Inspection } from './inspection';

/** An MLmodel is a few kilobytes; a signature of thousands of columns stays well under this. */
const MAX_MLMODEL_BYTES = 4 * 1024 * 1024;
/** requirements.txt, conda.yaml, python_env.yaml beside it: small text files. */
const MAX_ENV_FILE_BYTES = 1024 * 1024;

/** What an MLflow model folder's `MLmodel` file says about the model (MLflow's `Model.to_dict`). */
export interface MlflowModelDescription {
  /** Flavor names, as MLflow lists them: `python_function`, `sklearn`, `pytorch` … */
  flavors: string[];
  /** The run that logged the model (optional in MLflow 3). */
  runId?: string;
  /** MLflow 3's LoggedModel id. */
  modelId?: string;
  modelUuid?: string;
  mlflowVersion?: string;
  artifactPath?: string;
  createdUtc?: string;
  /** Inputs and outputs from `signature`, in the shape of the other formats' signatures. */
  signature?: ModelSignature;
  /** 'columns' (a DataFrame schema), 'tensors', or 'mixed'. */
  signatureKind?: 'columns' | 'tensors' | 'mixed';
  /** The Python version the pyfunc flavor records. */
  pythonVersion?: string;
  /** The files the pyfunc flavor names for its environment (`env: {conda, virtualenv}`). */
  envFiles: string[];
}

/** What the folder around an MLmodel says about the software the model needs. */
export interface MlflowModelRequirements {
  /** Lines of requirements.txt (comments and blank lines left out). */
  requirements?: string[];
  /** python_env.yaml's `python`. */
  python?: string;
  /** conda.yaml's dependencies, pip ones included, as written. */
  conda?: string[];
}

/**
 * `MLmodel` as an inspection: its signature becomes the version's signature, its flavors, run id and
 * MLflow version the summary. The file is YAML read as plain data; nothing it names is loaded.
 */
export async function inspectMlflowModel(reader: FileReader, file: string): Promise<Inspection> {
  if (reader.size > MAX_MLMODEL_BYTES) throw new FormatProblem(`it is ${reader.size} bytes, more than the ${MAX_MLMODEL_BYTES} an MLmodel file may be`);
  const model = parseMlflowModel((await reader.bytes(reader.size)).toString('utf8'), file);
  const summary: Inspection['summary'] = { flavors: model.flavors.join(', ') };
  if (model.runId) summary.run_id = model.runId;
  if (model.modelId) summary.model_id = model.modelId;
  if (model.mlflowVersion) summary.mlflow_version = model.mlflowVersion;
  if (model.pythonVersion) summary.python_version = model.pythonVersion;
  if (model.signatureKind) summary.signature = model.signatureKind;
  return { format: 'mlflow-model', summary, ...(model.signature ? { signature: model.signature } : {}), findings: [] };
}

/** An MLmodel file on disk, read within the same bound; undefined when it is absent, too large or unreadable. */
export function readMlflowModelFile(file: string): MlflowModelDescription | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats?.isFile() || stats.size > MAX_MLMODEL_BYTES) return undefined;
  try {
    return parseMlflowModel(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof FormatProblem) return undefined;
    throw error;
  }
}

/** Reads an MLmodel file's text; a FormatProblem says what is wrong with it. */
export function parseMlflowModel(text: string, file: string): MlflowModelDescription {
  let document: unknown;
  try {
    document = parseYaml(text, { maxAliasCount: 100 });
  } catch (error) {
    throw new FormatProblem(`it is not valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  if (!isRecord(document) || !isRecord(document.flavors)) throw new FormatProblem(`${path.basename(file)} has no 'flavors' mapping, which every MLflow model has`);
  const flavors = Object.keys(document.flavors);
  const pyfunc = isRecord(document.flavors.python_function) ? document.flavors.python_function : {};
  const env = pyfunc.env;
  const envFiles = typeof env === 'string' ? [env] : isRecord(env) ? Object.values(env).filter((value): value is string => typeof value === 'string') : [];
  const model: MlflowModelDescription = { flavors, envFiles };
  const text_ = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);
  model.runId = text_(document.run_id);
  model.modelId = text_(document.model_id);
  model.modelUuid = text_(document.model_uuid);
  model.mlflowVersion = text_(document.mlflow_version);
  model.artifactPath = text_(document.artifact_path);
  model.createdUtc = text_(document.utc_time_created);
  model.pythonVersion = text_(pyfunc.python_version);
  if (isRecord(document.signature)) {
    const inputs = schemaEntries(document.signature.inputs, 'inputs');
    const outputs = schemaEntries(document.signature.outputs, 'outputs');
    if (inputs || outputs) {
      model.signature = { inputs: inputs?.tensors ?? [], outputs: outputs?.tensors ?? [] };
      const kinds = new Set([...(inputs?.kinds ?? []), ...(outputs?.kinds ?? [])]);
      model.signatureKind = kinds.size > 1 ? 'mixed' : kinds.has('tensor') ? 'tensors' : 'columns';
    }
  }
  for (const key of ['runId', 'modelId', 'modelUuid', 'mlflowVersion', 'artifactPath', 'createdUtc', 'pythonVersion'] as const) {
    if (model[key] === undefined) delete model[key];
  }
  return model;
}

/**
 * One side of a signature. MLflow stores each as a JSON string (`Schema.to_json`): a list of column
 * specs `{"type": "double", "name": "x", "required": true}` or tensor specs `{"type": "tensor",
 * "name": …, "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}`. A column holds one value per
 * row, so its shape is [null] (rows, unknown count) unless it records one; -1 is an unknown size.
 * Unnamed columns and tensors are named by position ("0", "1" …), as MLflow addresses them.
 */
function schemaEntries(value: unknown, side: string): { tensors: SignatureTensor[]; kinds: Set<string> } | undefined {
  if (value === null || value === undefined) return undefined;
  let entries: unknown;
  try {
    entries = typeof value === 'string' ? JSON.parse(value) : value;
  } catch (error) {
    throw new FormatProblem(`its signature ${side} are not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(entries)) throw new FormatProblem(`its signature ${side} are not a list of column or tensor specs`);
  const kinds = new Set<string>();
  const tensors = entries.map((entry, index): SignatureTensor => {
    if (!isRecord(entry) || typeof entry.type !== 'string') throw new FormatProblem(`its signature ${side} entry ${index} has no type`);
    const name = typeof entry.name === 'string' ? entry.name : String(index);
    if (entry.type === 'tensor') {
      kinds.add('tensor');
      const spec = isRecord(entry['tensor-spec']) ? entry['tensor-spec'] : {};
      return { name, elementType: typeof spec.dtype === 'string' ? spec.dtype : 'unknown', shape: shapeOf(spec.shape) ?? [] };
    }
    kinds.add('column');
    // An array or object column names its element type too: array<double>, object.
    const items = isRecord(entry.items) && typeof entry.items.type === 'string' ? `<${entry.items.type}>` : '';
    return { name, elementType: `${entry.type}${items}`, shape: shapeOf(entry.shape) ?? [null] };
  });
  return { tensors, kinds };
}

function shapeOf(value: unknown): (number | null)[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((size) => (typeof size === 'number' && Number.isInteger(size) && size >= 0 ? size : null));
}

/**
 * The environment files beside an MLmodel (requirements.txt, python_env.yaml, conda.yaml): what
 * `mlflow models serve` would install. Read as text and YAML data, never run.
 */
export function readMlflowModelRequirements(modelDir: string): MlflowModelRequirements {
  const result: MlflowModelRequirements = {};
  const requirements = smallText(path.join(modelDir, 'requirements.txt'));
  if (requirements !== undefined) result.requirements = requirementLines(requirements);
  const pythonEnv = yamlOf(path.join(modelDir, 'python_env.yaml'));
  if (isRecord(pythonEnv) && (typeof pythonEnv.python === 'string' || typeof pythonEnv.python === 'number')) result.python = String(pythonEnv.python);
  const conda = yamlOf(path.join(modelDir, 'conda.yaml'));
  if (isRecord(conda) && Array.isArray(conda.dependencies)) {
    const dependencies: string[] = [];
    for (const dependency of conda.dependencies) {
      if (typeof dependency === 'string') dependencies.push(dependency);
      else if (isRecord(dependency) && Array.isArray(dependency.pip)) dependencies.push(...dependency.pip.filter((pip): pip is string => typeof pip === 'string').map((pip) => `pip:${pip}`));
    }
    result.conda = dependencies;
  }
  return result;
}

function requirementLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line.length > 0);
}

function smallText(file: string): string | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats?.isFile() || stats.size > MAX_ENV_FILE_BYTES) return undefined;
  return readFileSync(file, 'utf8');
}

function yamlOf(file: string): unknown {
  const text = smallText(file);
  if (text === undefined) return undefined;
  try {
    return parseYaml(text, { maxAliasCount: 100 });
  } catch {
    // A broken environment file is the model's problem; its requirements are simply not recorded.
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
