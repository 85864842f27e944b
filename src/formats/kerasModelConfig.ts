import type { ModelSignature, SignatureTensor } from '../core/signature';
import type { InspectionSummary, SecurityFinding } from './inspection';

/**
 * What a Keras model config (a `.keras` archive's config.json, an `.h5` file's `model_config`, a
 * TF.js layers model's topology) says about the model, without building it: its class and name,
 * the layer count as `len(model.layers)` gives it (a Sequential model's InputLayer is not one), the parameter
 * count as Keras reports it ("Total params", trainable and not), its input/output signature, and its
 * Lambda layers.
 *
 * Parameters and output shapes follow each layer's weight shapes in Keras's source (Dense: kernel
 * in×units and bias units; Conv: kernel k…×in/groups×filters; BatchNormalization: gamma, beta,
 * moving mean and variance …). A layer's input shape is its `build_config` (Keras 3 writes one per
 * layer), else what the previous layer of a Sequential model gives. A layer this does not know, or
 * whose input shape is unknown, leaves the parameter count (or the output shape) unknown rather
 * than wrong.
 */
export interface KerasModelFacts {
  summary: InspectionSummary;
  findings: SecurityFinding[];
  parameterCount?: number;
  signature?: ModelSignature;
}

type Shape = (number | null)[];

interface LayerEntry {
  class_name?: unknown;
  name?: unknown;
  config?: Record<string, unknown> & { name?: unknown; layers?: unknown };
  build_config?: { input_shape?: unknown };
}

/** Layers that hold no weights and pass their input's shape through. */
const SHAPE_PRESERVING = new Set([
  'Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'Activation', 'ReLU',
  'LeakyReLU', 'ELU', 'Softmax', 'ThresholdedReLU', 'ActivityRegularization', 'Masking', 'Rescaling', 'Identity', 'Lambda', 'Add', 'Subtract',
  'Multiply', 'Average', 'Maximum', 'Minimum', 'CenterCrop', 'RandomFlip', 'RandomRotation', 'RandomZoom', 'RandomContrast', 'RandomTranslation',
]);

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export function kerasModelFacts(config: unknown): KerasModelFacts {
  const model = (config ?? {}) as LayerEntry;
  const layers = layerList(model);
  const findings: SecurityFinding[] = [];
  for (const name of lambdaLayers(config)) {
    findings.push({ severity: 'high', code: 'keras.lambda-layer', message: `holds a Lambda layer '${name}' whose Python code runs when the model is loaded`, where: `layer ${name}` });
  }
  const facts = layers ? modelShapes(model, layers, 0) : undefined;
  const summary: InspectionSummary = {
    architecture: typeof model.class_name === 'string' ? model.class_name : null,
    name: typeof model.config?.name === 'string' ? model.config.name : null,
    // len(model.layers): a Sequential model leaves out the InputLayer Keras adds to it, a Functional one keeps its inputs.
    layers: layers ? layers.filter((layer) => model.class_name !== 'Sequential' || layer.class_name !== 'InputLayer').length : null,
  };
  if (facts?.unknownLayer) summary.parameterCountUnknown = `layer ${facts.unknownLayer}`;
  return {
    summary,
    findings,
    ...(facts && facts.parameters !== undefined ? { parameterCount: facts.parameters } : {}),
    ...(facts?.signature ? { signature: facts.signature } : {}),
  };
}

function layerList(model: LayerEntry): LayerEntry[] | undefined {
  const layers = model.config?.layers;
  return Array.isArray(layers) ? (layers.filter((layer) => typeof layer === 'object' && layer !== null) as LayerEntry[]) : undefined;
}

/** The Lambda layers anywhere in the config (nested models included), by name. */
function lambdaLayers(config: unknown): Set<string> {
  const lambdas = new Set<string>();
  // An explicit stack: the config's depth is the file's to choose (bounded by the JSON parser's depth limit).
  const pending: unknown[] = [config];
  while (pending.length > 0) {
    const node = pending.pop();
    if (node === null || typeof node !== 'object') continue;
    const layer = node as LayerEntry;
    if (!Array.isArray(node) && layer.class_name === 'Lambda') lambdas.add(typeof layer.config?.name === 'string' ? layer.config.name : '(unnamed)');
    // One push per child: spreading a million-element array into push() overflows the stack.
    for (const child of Array.isArray(node) ? node : Object.values(node)) pending.push(child);
  }
  return lambdas;
}

interface ModelShapes {
  parameters?: number;
  unknownLayer?: string;
  signature?: ModelSignature;
  outputShape?: Shape;
}

/** Parameters and signature of a Sequential or Functional model's layers; `depth` counts nested models. */
function modelShapes(model: LayerEntry, layers: LayerEntry[], depth: number, givenInput?: Shape): ModelShapes {
  const sequential = model.class_name === 'Sequential';
  const dtype = dtypeName(model.config?.dtype) ?? 'float32';
  let parameters: number | undefined = 0;
  let unknownLayer: string | undefined;
  const outputShapes = new Map<string, Shape | undefined>();
  const inputs: SignatureTensor[] = [];
  let previous: Shape | undefined = givenInput ?? shapeOf(model.build_config?.input_shape) ?? shapeOf(model.config?.build_input_shape);
  let last: LayerEntry | undefined;
  for (const layer of layers) {
    const name = layerName(layer);
    const className = String(layer.class_name);
    if (className === 'InputLayer') {
      const shape = shapeOf(layer.config?.batch_shape) ?? shapeOf(layer.config?.batch_input_shape);
      inputs.push({ name, elementType: dtypeName(layer.config?.dtype) ?? dtype, shape: shape ?? [] });
      outputShapes.set(name, shape);
      previous = shape;
      continue;
    }
    const input = shapeOf(layer.build_config?.input_shape) ?? (sequential ? previous ?? shapeOf(layer.config?.batch_input_shape) : undefined);
    if (sequential && inputs.length === 0 && input) inputs.push({ name: 'input', elementType: dtype, shape: input });
    const result = depth < 8 && MODEL_CLASSES.has(className) && layerList(layer) ? nestedModel(layer, depth, input) : layerShapes(className, layer.config ?? {}, input);
    if (result.parameters === undefined) {
      unknownLayer ??= `${name} (${className})`;
      parameters = undefined;
    } else if (parameters !== undefined) parameters += result.parameters;
    outputShapes.set(name, result.output);
    previous = result.output;
    last = layer;
  }
  let outputs: SignatureTensor[] | undefined;
  if (sequential && last) outputs = previous ? [{ name: layerName(last), elementType: dtype, shape: previous }] : undefined;
  else {
    const named = layerRefs(model.config?.output_layers);
    const shapes = named.map((name) => outputShapes.get(name));
    outputs = shapes.every((shape) => shape !== undefined) && named.length > 0 ? named.map((name, i) => ({ name, elementType: dtype, shape: shapes[i]! })) : undefined;
    const inputNames = layerRefs(model.config?.input_layers);
    if (inputNames.length > 0) inputs.sort((a, b) => inputNames.indexOf(a.name) - inputNames.indexOf(b.name));
  }
  const signature = inputs.length > 0 && outputs && inputs.every((input) => input.shape.length > 0) ? { inputs, outputs } : undefined;
  return { parameters, unknownLayer, signature, outputShape: previous };
}

function nestedModel(layer: LayerEntry, depth: number, input: Shape | undefined): { parameters?: number; output?: Shape } {
  const nested = modelShapes(layer, layerList(layer)!, depth + 1, input);
  const output = nested.signature?.outputs.length === 1 ? (nested.signature.outputs[0].shape as Shape) : nested.outputShape;
  return { parameters: nested.parameters, output };
}

/** ["name", 0, 0] or [["name", 0, 0], …], as Keras writes input_layers and output_layers. */
function layerRefs(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  if (typeof value[0] === 'string') return [value[0]];
  return value.flatMap((ref) => (Array.isArray(ref) && typeof ref[0] === 'string' ? [ref[0]] : []));
}

function layerName(layer: LayerEntry): string {
  if (typeof layer.config?.name === 'string') return layer.config.name;
  return typeof layer.name === 'string' ? layer.name : '(unnamed)';
}

function shapeOf(value: unknown): Shape | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 16) return undefined;
  // A layer with several inputs records a list of shapes; its first is what these rules need.
  if (Array.isArray(value[0])) return shapeOf(value[0]);
  return value.every((dim) => dim === null || (Number.isSafeInteger(dim) && (dim as number) >= 0)) ? (value as Shape) : undefined;
}

/** 'float32', or a Keras 3 DTypePolicy's name ('mixed_float16' computes in float16 but its variables are float32). */
function dtypeName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const policy = value as { config?: { name?: unknown } } | undefined;
  const name = policy?.config?.name;
  if (typeof name !== 'string') return undefined;
  return name.startsWith('mixed_') ? name.slice('mixed_'.length) : name;
}

const int = (value: unknown, fallback?: number): number | undefined => (Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : fallback);
const flag = (value: unknown, fallback: boolean): boolean => (typeof value === 'boolean' ? value : fallback);
const ints = (value: unknown, rank: number, fallback: number): number[] | undefined => {
  if (Number.isSafeInteger(value)) return Array.from({ length: rank }, () => value as number);
  if (value === undefined || value === null) return Array.from({ length: rank }, () => fallback);
  return Array.isArray(value) && value.length === rank && value.every((v) => Number.isSafeInteger(v) && v > 0) ? (value as number[]) : undefined;
};
const product = (values: readonly number[]): number => values.reduce((total, value) => total * value, 1);

/** One layer's parameter count and output shape, from its config and input shape (channels last). */
function layerShapes(className: string, config: Record<string, unknown>, input: Shape | undefined): { parameters?: number; output?: Shape } {
  if (SHAPE_PRESERVING.has(className)) return { parameters: 0, output: input };
  const last = input?.[input.length - 1];
  const channels = typeof last === 'number' ? last : undefined;
  switch (className) {
    case 'Dense': {
      const units = int(config.units);
      if (units === undefined || channels === undefined) return {};
      return { parameters: channels * units + (flag(config.use_bias, true) ? units : 0), output: [...input!.slice(0, -1), units] };
    }
    case 'Embedding': {
      const inputDim = int(config.input_dim);
      const outputDim = int(config.output_dim);
      if (inputDim === undefined || outputDim === undefined) return {};
      return { parameters: inputDim * outputDim, output: input ? [...input, outputDim] : undefined };
    }
    case 'BatchNormalization':
    case 'LayerNormalization': {
      if (channels === undefined || (config.axis !== undefined && config.axis !== -1 && !(Array.isArray(config.axis) && config.axis.length === 1 && config.axis[0] === -1))) return {};
      // gamma (scale) and beta (center) each; batch norm also keeps a moving mean and variance.
      const perChannel = Number(flag(config.scale, true)) + Number(flag(config.center, true)) + (className === 'BatchNormalization' ? 2 : 0);
      return { parameters: channels * perChannel, output: input };
    }
    case 'Flatten': {
      if (!input) return { parameters: 0 };
      const rest = input.slice(1);
      return { parameters: 0, output: [input[0], rest.every((dim) => dim !== null) ? product(rest as number[]) : null] };
    }
    case 'Conv1D':
    case 'Conv2D':
    case 'Conv3D':
    case 'DepthwiseConv2D':
    case 'DepthwiseConv1D':
      return convolution(className, config, input);
    case 'MaxPooling1D':
    case 'MaxPooling2D':
    case 'MaxPooling3D':
    case 'AveragePooling1D':
    case 'AveragePooling2D':
    case 'AveragePooling3D':
      return pooling(className, config, input);
    case 'GlobalAveragePooling1D':
    case 'GlobalAveragePooling2D':
    case 'GlobalAveragePooling3D':
    case 'GlobalMaxPooling1D':
    case 'GlobalMaxPooling2D':
    case 'GlobalMaxPooling3D':
      if (!input || config.data_format === 'channels_first') return { parameters: 0 };
      return { parameters: 0, output: config.keepdims === true ? [input[0], ...input.slice(1, -1).map(() => 1), last ?? null] : [input[0], last ?? null] };
    default:
      return {};
  }
}

function spatialOutput(size: number | null, kernel: number, stride: number, dilation: number, padding: unknown): number | null {
  if (size === null) return null;
  if (padding === 'same') return Math.ceil(size / stride);
  return Math.floor((size - (kernel - 1) * dilation - 1) / stride) + 1;
}

function convolution(className: string, config: Record<string, unknown>, input: Shape | undefined): { parameters?: number; output?: Shape } {
  const rank = className.endsWith('3D') ? 3 : className.endsWith('2D') ? 2 : 1;
  const depthwise = className.startsWith('Depthwise');
  const kernel = ints(config.kernel_size, rank, 1);
  const strides = ints(config.strides, rank, 1);
  const dilation = ints(config.dilation_rate, rank, 1);
  const channels = input?.[input.length - 1];
  if (!kernel || !strides || !dilation || typeof channels !== 'number' || config.data_format === 'channels_first' || input!.length !== rank + 2) return {};
  const groups = int(config.groups, 1)!;
  const filters = depthwise ? channels * int(config.depth_multiplier, 1)! : int(config.filters);
  if (filters === undefined || groups === 0 || channels % groups !== 0) return {};
  const kernelParameters = depthwise ? product(kernel) * channels * int(config.depth_multiplier, 1)! : product(kernel) * (channels / groups) * filters;
  const parameters = kernelParameters + (flag(config.use_bias, true) ? filters : 0);
  const spatial = input!.slice(1, -1).map((size, i) => spatialOutput(size, kernel[i], strides[i], dilation[i], config.padding));
  return { parameters, output: [input![0], ...spatial, filters] };
}

function pooling(className: string, config: Record<string, unknown>, input: Shape | undefined): { parameters?: number; output?: Shape } {
  const rank = className.endsWith('3D') ? 3 : className.endsWith('2D') ? 2 : 1;
  if (!input || input.length !== rank + 2 || config.data_format === 'channels_first') return { parameters: 0 };
  const pool = ints(config.pool_size, rank, 2);
  const strides = config.strides === null || config.strides === undefined ? pool : ints(config.strides, rank, 1);
  if (!pool || !strides) return { parameters: 0 };
  const spatial = input.slice(1, -1).map((size, i) => spatialOutput(size, pool[i], strides[i], 1, config.padding));
  return { parameters: 0, output: [input[0], ...spatial, input[input.length - 1]] };
}
