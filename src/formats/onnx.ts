import type { SignatureTensor } from '../core/signature';
import { FormatProblem, type FileReader } from './byteReader';
import type { Inspection, TensorInfo } from './inspection';
import { LimitReached } from './inspectionBudget';
import { int64, int64s, readMessage, submessage, text, type WireValue } from './protobufWire';
import { LISTED_TENSORS, countKinds, metadataSummary, product } from './tensorSummary';

/** TensorProto.DataType, named as NumPy would. */
const ELEMENT_TYPES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

const elementType = (code: number): string => ELEMENT_TYPES[code] ?? `type ${code}`;

/** Names and op types longer than this are cut: real ones are tens of characters. */
const MAX_NAME_CHARS = 1024;
const MAX_OP_CHARS = 128;
/** Graph inputs kept to match against initializers (IR < 4 lists every weight as an input too). */
const MAX_GRAPH_INPUTS = 65_536;
const LISTED_EXTERNAL_FILES = 10;

/** A GraphProto's byte range, and how deep inside other graphs (If/Loop/Scan bodies) it is. */
interface PendingGraph {
  start: number;
  end: number;
  depth: number;
}

/**
 * ONNX: a protobuf ModelProto (onnx/onnx.proto3), read field by field from the file. Initializers
 * give their names, types and dims; their raw_data (the weights) is skipped by seeking, so a model
 * over 2 GB, or one whose weights live in external files, costs kilobytes to inspect. Weights are
 * counted wherever ONNX puts them: initializers, `Constant` nodes' tensors, and the subgraphs of
 * control-flow nodes (`If`, `Loop`, `Scan` attributes). Subgraphs are queued and read one after the
 * other, not recursed into, so an attacker's nesting costs a counter, not the call stack.
 */
export async function inspectOnnx(reader: FileReader): Promise<Inspection> {
  const budget = reader.budget;
  let irVersion: number | null = null;
  let producer: string | null = null;
  let producerVersion: string | null = null;
  let modelVersion: number | null = null;
  let domain: string | null = null;
  let graphName: string | null = null;
  let mainGraph: PendingGraph | undefined;
  const opsets: string[] = [];
  const metadata: Record<string, string> = {};
  let metadataKeys = 0;

  await readMessage(reader, reader.size, async (field, value) => {
    switch (field) {
      case 1: irVersion = int64(value); break;
      case 2: producer = await text(reader, value, MAX_NAME_CHARS); break;
      case 3: producerVersion = await text(reader, value, MAX_NAME_CHARS); break;
      case 4: domain = await text(reader, value, MAX_NAME_CHARS); break;
      case 5: modelVersion = int64(value); break;
      case 7: mainGraph = bytesRange(value, 0); break;
      case 8: {
        budget.entries(1, 'its opsets');
        let opsetDomain = '';
        let version = 0;
        await submessage(reader, value, async (f, v) => {
          if (f === 1) opsetDomain = await text(reader, v, MAX_NAME_CHARS);
          if (f === 2) version = int64(v);
        });
        opsets.push(`${opsetDomain || 'ai.onnx'} ${version}`);
        break;
      }
      case 14: {
        budget.entries(1, 'its metadata');
        if (++metadataKeys > 32) break;
        const [key, entry] = await stringEntry(value);
        if (key) metadata[key] = entry;
        break;
      }
    }
  });
  if (!mainGraph || irVersion === null) throw new FormatProblem('it has no graph or no IR version, so it is not an ONNX model');

  // The main graph's inputs first: initializers then name the ones that are weights, not inputs.
  const inputs: SignatureTensor[] = [];
  const outputs: SignatureTensor[] = [];
  reader.seek(mainGraph.start);
  await readMessage(reader, mainGraph.end, async (field, value) => {
    if (field === 2) graphName = await text(reader, value, MAX_NAME_CHARS);
    if (field !== 11 && field !== 12) return;
    budget.entries(1, 'its graph inputs and outputs');
    const list = field === 11 ? inputs : outputs;
    if (list.length >= MAX_GRAPH_INPUTS) throw new LimitReached('entries', MAX_GRAPH_INPUTS, `its graph's ${field === 11 ? 'input' : 'output'} list`);
    list.push(await valueInfo(value));
  });
  const inputIndex = new Map(inputs.map((input, index) => [input.name, index]));
  const weightInputs = new Set<number>();

  const initializers: TensorInfo[] = [];
  const externalFiles = new Set<string>();
  const operators = countKinds();
  let externalFileCount = 0;
  let initializerCount = 0;
  let constantCount = 0;
  let parameterCount = 0;
  let nodeCount = 0;
  let subgraphCount = 0;
  const pending: PendingGraph[] = [mainGraph];
  for (let graph = pending.pop(); graph; graph = pending.pop()) {
    budget.depth(graph.depth, 'its subgraphs (If, Loop, Scan bodies)');
    const { depth } = graph;
    reader.seek(graph.start);
    await readMessage(reader, graph.end, async (field, value) => {
      if (field === 1) await node(value, depth);
      else if (field === 5) {
        const tensor = await tensorProto(value);
        initializerCount++;
        parameterCount += product(tensor.shape);
        if (depth === 0) {
          const index = inputIndex.get(tensor.name);
          if (index !== undefined) weightInputs.add(index);
        }
        if (initializers.length < LISTED_TENSORS) initializers.push(tensor);
      }
    });
  }

  return {
    format: 'onnx',
    summary: {
      irVersion,
      opsets: opsets.join(', '),
      producer: producer ?? null,
      producerVersion: producerVersion ?? null,
      domain: domain || null,
      modelVersion,
      graph: graphName,
      nodes: nodeCount,
      operators: operators.summary(),
      ...(constantCount > 0 ? { constantTensors: constantCount } : {}),
      ...(subgraphCount > 0 ? { subgraphs: subgraphCount } : {}),
      externalData: externalFiles.size > 0 ? [...externalFiles].join(', ') + (externalFileCount > externalFiles.size ? ` … (${externalFileCount} references)` : '') : null,
      ...metadataSummary(metadata),
    },
    parameterCount,
    tensorCount: initializerCount + constantCount,
    tensors: initializers,
    signature: { inputs: inputs.filter((_, index) => !weightInputs.has(index)), outputs },
    findings: [],
  };

  /** A NodeProto: its op type counted; Constant values and subgraph attributes followed. */
  async function node(value: WireValue, depth: number): Promise<void> {
    budget.entries(1, 'its graph nodes');
    nodeCount++;
    let op = '';
    const attributes: WireValue[] = [];
    await submessage(reader, value, async (f, v) => {
      if (f === 4) op = await text(reader, v, MAX_OP_CHARS);
      if (f === 5) {
        budget.entries(1, 'its node attributes');
        attributes.push(v);
      }
    }, 2);
    operators.add(op);
    for (const attribute of attributes) {
      reader.seek((attribute as { start: number }).start);
      await attributeProto(attribute, op === 'Constant', depth);
    }
  }

  /**
   * An AttributeProto (name 1, f 2, i 3, t 5, g 6, floats 7, ints 8, tensors 10, graphs 11,
   * sparse_tensor 22). Graphs are queued; a Constant's value is a weight.
   */
  async function attributeProto(value: WireValue, ofConstant: boolean, depth: number): Promise<void> {
    let name = '';
    let elements = 0;
    await submessage(reader, value, async (f, v) => {
      if (f === 1) name = await text(reader, v, MAX_NAME_CHARS);
      else if (f === 6 || f === 11) {
        budget.entries(1, 'its subgraphs');
        subgraphCount++;
        pending.push(bytesRange(v, depth + 1));
      } else if (ofConstant && f === 5) elements += product((await tensorProto(v)).shape);
      else if (ofConstant && f === 22) elements += await sparseValues(v);
      else if (ofConstant && (f === 2 || f === 3)) elements += 1;
      else if (ofConstant && f === 7) elements += v.kind === 'bytes' ? v.length / 4 : 1;
      else if (ofConstant && f === 8) elements += v.kind === 'bytes' ? await varintCount(v) : 1;
    }, 3);
    // value, value_float(s), value_int(s), sparse_value hold numbers; value_string(s) hold text, not weights.
    if (ofConstant && elements > 0 && !name.startsWith('value_string')) {
      constantCount++;
      parameterCount += elements;
    }
  }

  /** A TensorProto's name, type and dims (1 dims, 2 data_type, 8 name, 13 external_data); its data is skipped. */
  async function tensorProto(value: WireValue): Promise<TensorInfo> {
    budget.entries(1, 'its tensors');
    const dims: number[] = [];
    let dataType = 0;
    let name = '';
    await submessage(reader, value, async (f, v) => {
      if (f === 1) {
        for (const dim of await int64s(reader, v)) dims.push(dim);
        budget.entries(dims.length, 'its tensor dimensions');
      } else if (f === 2) dataType = int64(v);
      else if (f === 8) name = await text(reader, v, MAX_NAME_CHARS);
      else if (f === 13) {
        const [key, location] = await stringEntry(v);
        if (key === 'location') {
          externalFileCount++;
          if (externalFiles.size < LISTED_EXTERNAL_FILES) externalFiles.add(location);
        }
      }
      // 9 raw_data and 4–7, 10–12 typed data are the weights: never read.
    }, 3);
    if (dims.some((dim) => dim < 0)) throw new FormatProblem(`tensor '${name}' has a negative dimension`);
    return { name, dtype: elementType(dataType), shape: dims };
  }

  /** A SparseTensorProto's stored values: its `values` tensor (field 1). */
  async function sparseValues(value: WireValue): Promise<number> {
    let elements = 0;
    await submessage(reader, value, async (f, v) => {
      if (f === 1) elements = product((await tensorProto(v)).shape);
    }, 4);
    return elements;
  }

  async function varintCount(value: WireValue): Promise<number> {
    return (await int64s(reader, value)).length;
  }

  async function valueInfo(value: WireValue): Promise<SignatureTensor> {
    const tensor: SignatureTensor = { name: '', elementType: 'unknown', shape: [] };
    await submessage(reader, value, async (f, v) => {
      if (f === 1) tensor.name = await text(reader, v, MAX_NAME_CHARS);
      if (f === 2) await typeProto(v, tensor);
    }, 2);
    return tensor;
  }

  async function typeProto(value: WireValue, tensor: SignatureTensor): Promise<void> {
    await submessage(reader, value, async (f, v) => {
      // 1 tensor_type and 9 sparse_tensor_type share a layout: elem_type, shape.
      if (f === 1 || f === 9) {
        await submessage(reader, v, async (tf, tv) => {
          if (tf === 1) tensor.elementType = elementType(int64(tv));
          if (tf === 2) {
            await submessage(reader, tv, async (sf, sv) => {
              if (sf !== 1) return;
              budget.entries(1, 'its signature dimensions');
              tensor.shape.push(await dimension(sv));
            }, 5);
          }
        }, 4);
        if (f === 9) tensor.elementType = `sparse ${tensor.elementType}`;
      } else if (f === 4) tensor.elementType = 'sequence';
      else if (f === 5) tensor.elementType = 'map';
      else if (f === 8) tensor.elementType = 'optional';
    }, 3);
  }

  async function dimension(value: WireValue): Promise<number | string | null> {
    let dim: number | string | null = null;
    await submessage(reader, value, async (f, v) => {
      if (f === 1) dim = int64(v);
      if (f === 2) dim = await text(reader, v, 256);
    }, 6);
    return dim;
  }

  async function stringEntry(value: WireValue): Promise<[string, string]> {
    let key = '';
    let entry = '';
    await submessage(reader, value, async (f, v) => {
      if (f === 1) key = await text(reader, v, 1024);
      if (f === 2) entry = await text(reader, v, 4096);
    }, 3);
    return [key, entry];
  }
}

function bytesRange(value: WireValue, depth: number): PendingGraph {
  if (value.kind !== 'bytes') throw new FormatProblem('a graph field has the wrong wire type');
  return { start: value.start, end: value.start + value.length, depth };
}
