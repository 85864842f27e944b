import type { ModelSignature, SignatureTensor } from '../core/signature';
import { FormatProblem, type FileReader } from './byteReader';
import { FlatBufferFile } from './flatBufferFile';
import type { Inspection, TensorInfo } from './inspection';
import { LISTED_TENSORS, countKinds, product } from './tensorSummary';

/** TensorType (tensorflow/lite/schema/schema.fbs), named as NumPy would. */
const TENSOR_TYPES = [
  'float32', 'float16', 'int32', 'uint8', 'int64', 'string', 'bool', 'int16', 'complex64', 'int8', 'float64', 'complex128', 'uint64',
  'resource', 'variant', 'uint32', 'uint16', 'int4', 'bfloat16',
];

/** BuiltinOperator, by code (schema.fbs); codes past the list are named by number. */
const BUILTIN_OPERATORS = (
  'ADD AVERAGE_POOL_2D CONCATENATION CONV_2D DEPTHWISE_CONV_2D DEPTH_TO_SPACE DEQUANTIZE EMBEDDING_LOOKUP FLOOR FULLY_CONNECTED ' +
  'HASHTABLE_LOOKUP L2_NORMALIZATION L2_POOL_2D LOCAL_RESPONSE_NORMALIZATION LOGISTIC LSH_PROJECTION LSTM MAX_POOL_2D MUL RELU ' +
  'RELU_N1_TO_1 RELU6 RESHAPE RESIZE_BILINEAR RNN SOFTMAX SPACE_TO_DEPTH SVDF TANH CONCAT_EMBEDDINGS SKIP_GRAM CALL CUSTOM ' +
  'EMBEDDING_LOOKUP_SPARSE PAD UNIDIRECTIONAL_SEQUENCE_RNN GATHER BATCH_TO_SPACE_ND SPACE_TO_BATCH_ND TRANSPOSE MEAN SUB DIV SQUEEZE ' +
  'UNIDIRECTIONAL_SEQUENCE_LSTM STRIDED_SLICE BIDIRECTIONAL_SEQUENCE_RNN EXP TOPK_V2 SPLIT LOG_SOFTMAX DELEGATE ' +
  'BIDIRECTIONAL_SEQUENCE_LSTM CAST PRELU MAXIMUM ARG_MAX MINIMUM LESS NEG PADV2 GREATER GREATER_EQUAL LESS_EQUAL SELECT SLICE SIN ' +
  'TRANSPOSE_CONV SPARSE_TO_DENSE TILE EXPAND_DIMS EQUAL NOT_EQUAL LOG SUM SQRT RSQRT SHAPE POW ARG_MIN FAKE_QUANT REDUCE_PROD ' +
  'REDUCE_MAX PACK LOGICAL_OR ONE_HOT LOGICAL_AND LOGICAL_NOT UNPACK REDUCE_MIN FLOOR_DIV REDUCE_ANY SQUARE ZEROS_LIKE FILL FLOOR_MOD ' +
  'RANGE RESIZE_NEAREST_NEIGHBOR LEAKY_RELU SQUARED_DIFFERENCE MIRROR_PAD ABS SPLIT_V UNIQUE CEIL REVERSE_V2 ADD_N GATHER_ND COS WHERE ' +
  'RANK ELU REVERSE_SEQUENCE MATRIX_DIAG QUANTIZE MATRIX_SET_DIAG ROUND HARD_SWISH IF WHILE NON_MAX_SUPPRESSION_V4 ' +
  'NON_MAX_SUPPRESSION_V5 SCATTER_ND SELECT_V2 DENSIFY SEGMENT_SUM BATCH_MATMUL PLACEHOLDER_FOR_GREATER_OP_CODES CUMSUM CALL_ONCE ' +
  'BROADCAST_TO RFFT2D CONV_3D IMAG REAL COMPLEX_ABS HASHTABLE HASHTABLE_FIND HASHTABLE_IMPORT HASHTABLE_SIZE REDUCE_ALL ' +
  'CONV_3D_TRANSPOSE VAR_HANDLE READ_VARIABLE ASSIGN_VARIABLE BROADCAST_ARGS RANDOM_STANDARD_NORMAL BUCKETIZE RANDOM_UNIFORM ' +
  'MULTINOMIAL GELU DYNAMIC_UPDATE_SLICE RELU_0_TO_1 UNSORTED_SEGMENT_PROD UNSORTED_SEGMENT_MAX UNSORTED_SEGMENT_SUM ATAN2 ' +
  'UNSORTED_SEGMENT_MIN SIGN'
).split(' ');
const CUSTOM = 32;
const MAX_NAME_BYTES = 1024;
const MAX_RANK = 64;

// Field indexes of the tables read, in schema.fbs order.
const MODEL = { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, signatureDefs: 7 };
const OPERATOR_CODE = { deprecatedBuiltinCode: 0, customCode: 1, builtinCode: 3 };
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 };
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3, shapeSignature: 7 };
const BUFFER = { data: 0, offset: 1, size: 2 };
const SIGNATURE_DEF = { inputs: 0, outputs: 1, signatureKey: 2, subgraphIndex: 4 };
const TENSOR_MAP = { name: 0, tensorIndex: 1 };

/**
 * TensorFlow Lite: a FlatBuffer `Model` (identifier "TFL3"): operator codes, subgraphs of tensors
 * and operators, and buffers holding the constant tensors' data. Weights are the tensors whose
 * buffer holds data (inside the file, or past it at an offset for models over 2 GB); their bytes are
 * never read. The signature is the first SignatureDef's (its key names), else subgraph 0's inputs
 * and outputs under their tensor names, shaped as ONNX's: dynamic dimensions (-1) are null.
 */
export async function inspectTflite(reader: FileReader): Promise<Inspection> {
  const budget = reader.budget;
  if (reader.size < 8) throw new FormatProblem(`it is ${reader.size} bytes long, too short for a FlatBuffer`);
  const file = new FlatBufferFile(reader);
  const identifier = file.bytes(4, 4).toString('latin1');
  if (identifier !== 'TFL3') throw new FormatProblem(`its FlatBuffer identifier is ${JSON.stringify(identifier)}, not "TFL3"`);
  const model = file.root();
  const entries = (count: number, what: string): void => budget.entries(count, what);

  const operatorCodes = file.vector(model, MODEL.operatorCodes, 4);
  entries(operatorCodes.length, 'its operator codes');
  const opNames: string[] = [];
  for (let i = 0; i < operatorCodes.length; i++) {
    const code = file.tableAt(operatorCodes, i);
    // Codes past 127 live in builtin_code; older files only have the 8-bit deprecated field.
    const builtin = Math.max(file.scalar(code, OPERATOR_CODE.deprecatedBuiltinCode, 'i8', 0), file.scalar(code, OPERATOR_CODE.builtinCode, 'i32', 0));
    opNames.push(builtin === CUSTOM ? `CUSTOM:${file.string(code, OPERATOR_CODE.customCode, 128) ?? ''}` : (BUILTIN_OPERATORS[builtin] ?? `op ${builtin}`));
  }

  const buffers = file.vector(model, MODEL.buffers, 4);
  entries(buffers.length, 'its buffers');
  const holdsData = (index: number): boolean => {
    if (index <= 0 || index >= buffers.length) return false;
    const buffer = file.tableAt(buffers, index);
    return file.vector(buffer, BUFFER.data, 1).length > 0 || file.scalar(buffer, BUFFER.size, 'u64', 0) > 0;
  };

  const subgraphs = file.vector(model, MODEL.subgraphs, 4);
  entries(subgraphs.length, 'its subgraphs');
  const operators = countKinds();
  const weights: TensorInfo[] = [];
  let tensorCount = 0;
  let weightCount = 0;
  let parameterCount = 0;
  let operatorCount = 0;
  let firstSubgraph: { table: number; tensors: { start: number; length: number } } | undefined;
  for (let s = 0; s < subgraphs.length; s++) {
    const subgraph = file.tableAt(subgraphs, s);
    const tensors = file.vector(subgraph, SUBGRAPH.tensors, 4);
    if (s === 0) firstSubgraph = { table: subgraph, tensors };
    entries(tensors.length, 'its tensors');
    tensorCount += tensors.length;
    for (let t = 0; t < tensors.length; t++) {
      if (t % 4096 === 0) budget.checkTime('reading its tensors');
      const tensor = file.tableAt(tensors, t);
      if (!holdsData(file.scalar(tensor, TENSOR.buffer, 'u32', 0))) continue;
      const info = tensorInfo(tensor);
      weightCount++;
      parameterCount += product(info.shape);
      if (weights.length < LISTED_TENSORS) weights.push(info);
    }
    const ops = file.vector(subgraph, SUBGRAPH.operators, 4);
    entries(ops.length, 'its operators');
    operatorCount += ops.length;
    for (let o = 0; o < ops.length; o++) {
      const index = file.scalar(file.tableAt(ops, o), 0, 'u32', 0);
      operators.add(opNames[index] ?? `opcode ${index}`);
    }
  }
  if (!firstSubgraph) throw new FormatProblem('it has no subgraph, so it is not a TFLite model');

  const signatureDefs = file.vector(model, MODEL.signatureDefs, 4);
  entries(signatureDefs.length, 'its signature defs');
  const signatureKeys: string[] = [];
  for (let i = 0; i < Math.min(signatureDefs.length, 32); i++) signatureKeys.push(file.string(file.tableAt(signatureDefs, i), SIGNATURE_DEF.signatureKey, 256) ?? '');
  const signature = signatureDefs.length > 0 ? signatureDefSignature(file.tableAt(signatureDefs, 0)) : subgraphSignature(firstSubgraph.table, firstSubgraph.tensors);

  return {
    format: 'tflite',
    summary: {
      schemaVersion: file.scalar(model, MODEL.version, 'u32', 0),
      description: file.string(model, MODEL.description, 256) ?? null,
      subgraphs: subgraphs.length,
      tensors: tensorCount,
      nodes: operatorCount,
      operators: operators.summary(),
      buffers: buffers.length,
      signatures: signatureKeys.join(', ') || null,
    },
    parameterCount,
    tensorCount: weightCount,
    tensors: weights,
    signature,
    findings: [],
  };

  function tensorInfo(tensor: number): TensorInfo {
    const shape = ints(tensor, TENSOR.shape);
    if (shape.some((dim) => dim < 0)) throw new FormatProblem(`a constant tensor has the negative dimension in [${shape.join(', ')}]`);
    return { name: file.string(tensor, TENSOR.name, MAX_NAME_BYTES) ?? '', dtype: tensorType(file.scalar(tensor, TENSOR.type, 'i8', 0)), shape };
  }

  /** A tensor as a signature entry: shape_signature (with -1 for dynamic) where the converter wrote one. */
  function signatureTensor(tensors: { start: number; length: number }, index: number, name?: string): SignatureTensor {
    if (index < 0 || index >= tensors.length) throw new FormatProblem(`a signature names tensor ${index} of a subgraph with ${tensors.length}`);
    const tensor = file.tableAt(tensors, index);
    const dynamic = ints(tensor, TENSOR.shapeSignature);
    const shape = dynamic.length > 0 ? dynamic : ints(tensor, TENSOR.shape);
    return {
      name: name ?? file.string(tensor, TENSOR.name, MAX_NAME_BYTES) ?? '',
      elementType: tensorType(file.scalar(tensor, TENSOR.type, 'i8', 0)),
      shape: shape.map((dim) => (dim < 0 ? null : dim)),
    };
  }

  function subgraphSignature(subgraph: number, tensors: { start: number; length: number }): ModelSignature {
    const list = (field: number) => {
      const indexes = file.vector(subgraph, field, 4);
      entries(indexes.length, 'its subgraph inputs and outputs');
      return Array.from({ length: indexes.length }, (_, i) => signatureTensor(tensors, file.i32At(indexes.start + 4 * i)));
    };
    return { inputs: list(SUBGRAPH.inputs), outputs: list(SUBGRAPH.outputs) };
  }

  function signatureDefSignature(def: number): ModelSignature {
    const index = file.scalar(def, SIGNATURE_DEF.subgraphIndex, 'u32', 0);
    if (index >= subgraphs.length) throw new FormatProblem(`its signature names subgraph ${index} of ${subgraphs.length}`);
    const tensors = file.vector(file.tableAt(subgraphs, index), SUBGRAPH.tensors, 4);
    const list = (field: number) => {
      const maps = file.vector(def, field, 4);
      entries(maps.length, 'its signature');
      return Array.from({ length: maps.length }, (_, i) => {
        const map = file.tableAt(maps, i);
        return signatureTensor(tensors, file.scalar(map, TENSOR_MAP.tensorIndex, 'u32', 0), file.string(map, TENSOR_MAP.name, MAX_NAME_BYTES) ?? '');
      });
    };
    return { inputs: list(SIGNATURE_DEF.inputs), outputs: list(SIGNATURE_DEF.outputs) };
  }

  function ints(table: number, field: number): number[] {
    const vector = file.vector(table, field, 4);
    if (vector.length > MAX_RANK) throw new FormatProblem(`a tensor claims ${vector.length} dimensions`);
    return Array.from({ length: vector.length }, (_, i) => file.i32At(vector.start + 4 * i));
  }
}

function tensorType(code: number): string {
  return TENSOR_TYPES[code] ?? `type ${code}`;
}
