import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { fraudDetectorOnnx } from '../../support/sampleWorkspace';

/**
 * Decodes an ONNX file with Python's standard library alone, from onnx.proto's field numbers
 * (ModelProto 1 ir_version, 7 graph, 8 opset_import; GraphProto 1 node, 5 initializer, 11 input,
 * 12 output; NodeProto 1 input, 2 output, 4 op_type; TensorProto 1 dims, 2 data_type, 8 name,
 * 9 raw_data; ValueInfoProto 1 name): ground truth that does not go through our reader.
 */
const DECODE = String.raw`
import json, sys
def varint(b, i):
    shift = value = 0
    while True:
        byte = b[i]; i += 1
        value |= (byte & 0x7f) << shift; shift += 7
        if byte < 0x80: return value, i
def fields(b):
    i = 0; out = []
    while i < len(b):
        key, i = varint(b, i); field, wire = key >> 3, key & 7
        if wire == 0: value, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i); value = b[i:i+n]; i += n
        elif wire == 5: value = b[i:i+4]; i += 4
        elif wire == 1: value = b[i:i+8]; i += 8
        else: raise SystemExit('bad wire type %d' % wire)
        out.append((field, value))
    assert i == len(b), 'trailing bytes'
    return out
model = fields(open(sys.argv[1], 'rb').read())
graph = fields(next(v for f, v in model if f == 7))
result = {
    'ir': next(v for f, v in model if f == 1),
    'opsets': [[next((x.decode() for g, x in fields(v) if g == 1), ''), next(x for g, x in fields(v) if g == 2)] for f, v in model if f == 8],
    'nodes': [{'op': next(x.decode() for g, x in fields(v) if g == 4), 'in': [x.decode() for g, x in fields(v) if g == 1], 'out': [x.decode() for g, x in fields(v) if g == 2]} for f, v in graph if f == 1],
    'initializers': [{'name': next(x.decode() for g, x in fields(v) if g == 8), 'dims': [x for g, x in fields(v) if g == 1], 'type': next(x for g, x in fields(v) if g == 2), 'raw': len(next(x for g, x in fields(v) if g == 9))} for f, v in graph if f == 5],
    'inputs': [next(x.decode() for g, x in fields(v) if g == 1) for f, v in graph if f == 11],
    'outputs': [next(x.decode() for g, x in fields(v) if g == 1) for f, v in graph if f == 12],
}
print(json.dumps(result))
`;

describe('the sample project', () => {
  let folder: string;
  before(() => (folder = mkdtempSync(path.join(tmpdir(), 'mr-sample-onnx-'))));
  after(() => rmSync(folder, { recursive: true, force: true }));

  for (const hidden of [64, 128]) {
    it(`writes a well-formed ONNX model with ${hidden} hidden units: every node input defined, float32 weights of their shapes`, async () => {
      const file = path.join(folder, `fraud-${hidden}.onnx`);
      writeFileSync(file, fraudDetectorOnnx(hidden));
      const decoded = JSON.parse(execFileSync('/usr/bin/python3', ['-c', DECODE, file], { encoding: 'utf8' })) as {
        ir: number; opsets: [string, number][]; nodes: { op: string; in: string[]; out: string[] }[]; initializers: { name: string; dims: number[]; type: number; raw: number }[]; inputs: string[]; outputs: string[];
      };
      assert.equal(decoded.ir, 8);
      assert.deepEqual(decoded.opsets, [['', 17]]);
      assert.deepEqual(decoded.nodes.map((node) => node.op), ['Gemm', 'Relu', 'Gemm', 'Sigmoid']);
      const defined = new Set([...decoded.inputs, ...decoded.initializers.map((initializer) => initializer.name)]);
      for (const node of decoded.nodes) {
        for (const input of node.in) assert.ok(defined.has(input), `${node.op} reads ${input}, which nothing defines`);
        for (const output of node.out) defined.add(output);
      }
      for (const output of decoded.outputs) assert.ok(defined.has(output), `the graph output ${output} is produced`);
      for (const initializer of decoded.initializers) assert.equal(initializer.raw, initializer.dims.reduce((a, b) => a * b, 1) * 4, `${initializer.name}: float32 raw data of its shape`);
      assert.deepEqual(decoded.initializers.map((initializer) => [initializer.name, initializer.dims, initializer.type]), [['w1', [hidden, 16], 1], ['b1', [hidden], 1], ['w2', [1, hidden], 1], ['b2', [1], 1]]);

      const inspection = await inspectArtifact(file);
      assert.equal(inspection?.error, undefined);
      assert.deepEqual(inspection?.signature, { inputs: [{ name: 'features', elementType: 'float32', shape: ['batch', 16] }], outputs: [{ name: 'score', elementType: 'float32', shape: ['batch', 1] }] });
      assert.equal(inspection?.parameterCount, 16 * hidden + hidden + hidden + 1);
    });
  }
});
