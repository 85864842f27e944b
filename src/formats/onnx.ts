import type { SignatureTensor } from '../core/signature';
import { FormatProblem, type FileReader } from './byteReader';
import type { Inspection, TensorInfo } from './inspection';
import { int64, int64s, readMessage, submessage, text, type WireValue } from './protobufWire';
import { listedTensors, metadataSummary, product } from './tensorSummary';

/** TensorProto.DataType, named as NumPy would. */
const ELEMENT_TYPES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1',
};

const elementType = (code: number): string => ELEMENT_TYPES[code] ?? `type ${code}`;

/**
 * ONNX: a protobuf ModelProto (onnx/onnx.proto3), read field by field from the file. Initializers
 * give their names, types and dims; their raw_data (the weights) is skipped by seeking, so a model
 * over 2 GB, or one whose weights live in external files, costs kilobytes to inspect.
 */
export async function inspectOnnx(reader: FileReader): Promise<Inspection> {
  let irVersion: number | null = null;
  let producer: string | null = null;
  let producerVersion: string | null = null;
  let modelVersion: number | null = null;
  let domain: string | null = null;
  let graphName: string | null = null;
  let sawGraph = false;
  const opsets: string[] = [];
  const metadata: Record<string, string> = {};
  const inputs: SignatureTensor[] = [];
  const outputs: SignatureTensor[] = [];
  const initializers: TensorInfo[] = [];
  const initializerNames = new Set<string>();
  const externalFiles = new Set<string>();
  const operators = new Map<string, number>();
  let initializerCount = 0;
  let parameterCount = 0;
  let nodeCount = 0;

  await readMessage(reader, reader.size, async (field, value) => {
    switch (field) {
      case 1: irVersion = int64(value); break;
      case 2: producer = await text(reader, value); break;
      case 3: producerVersion = await text(reader, value); break;
      case 4: domain = await text(reader, value); break;
      case 5: modelVersion = int64(value); break;
      case 7: sawGraph = true; await submessage(reader, value, graphField); break;
      case 8: {
        let opsetDomain = '';
        let version = 0;
        await submessage(reader, value, async (f, v) => {
          if (f === 1) opsetDomain = await text(reader, v);
          if (f === 2) version = int64(v);
        });
        opsets.push(`${opsetDomain || 'ai.onnx'} ${version}`);
        break;
      }
      case 14: {
        const [key, entry] = await stringEntry(value);
        if (key) metadata[key] = entry;
        break;
      }
    }
  });
  if (!sawGraph || irVersion === null) throw new FormatProblem('it has no graph or no IR version, so it is not an ONNX model');

  const signatureInputs = inputs.filter((input) => !initializerNames.has(input.name));
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
      operators: [...operators].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([op, n]) => `${op}×${n}`).join(', '),
      externalData: externalFiles.size > 0 ? [...externalFiles].slice(0, 10).join(', ') : null,
      ...metadataSummary(metadata),
    },
    parameterCount,
    tensorCount: initializerCount,
    tensors: listedTensors(initializers),
    signature: { inputs: signatureInputs, outputs },
    findings: [],
  };

  async function graphField(field: number, value: WireValue): Promise<void> {
    switch (field) {
      case 1: {
        nodeCount++;
        await submessage(reader, value, async (f, v) => {
          if (f === 4) {
            const op = await text(reader, v, 256);
            operators.set(op, (operators.get(op) ?? 0) + 1);
          }
        }, 2);
        break;
      }
      case 2: graphName = await text(reader, value); break;
      case 5: await initializer(value); break;
      case 11: inputs.push(await valueInfo(value)); break;
      case 12: outputs.push(await valueInfo(value)); break;
    }
  }

  async function initializer(value: WireValue): Promise<void> {
    const dims: number[] = [];
    let dataType = 0;
    let name = '';
    await submessage(reader, value, async (f, v) => {
      if (f === 1) dims.push(...(await int64s(reader, v)));
      else if (f === 2) dataType = int64(v);
      else if (f === 8) name = await text(reader, v);
      else if (f === 13) {
        const [key, location] = await stringEntry(v);
        if (key === 'location') externalFiles.add(location);
      }
      // 9 raw_data and 4–7, 10–12 typed data are the weights: never read.
    }, 2);
    if (dims.some((dim) => dim < 0)) throw new FormatProblem(`initializer '${name}' has a negative dimension`);
    initializerCount++;
    initializerNames.add(name);
    parameterCount += product(dims);
    if (initializers.length < 100) initializers.push({ name, dtype: elementType(dataType), shape: dims });
  }

  async function valueInfo(value: WireValue): Promise<SignatureTensor> {
    const tensor: SignatureTensor = { name: '', elementType: 'unknown', shape: [] };
    await submessage(reader, value, async (f, v) => {
      if (f === 1) tensor.name = await text(reader, v);
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
              if (sf === 1) tensor.shape.push(await dimension(sv));
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
      if (f === 2) entry = await text(reader, v);
    }, 3);
    return [key, entry];
  }
}
