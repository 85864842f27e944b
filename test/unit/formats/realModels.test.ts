import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

/** Real ONNX and TFLite files kept in the repository (their sources, licences and ground truth: README.md there). */
const FIXTURES = path.resolve(__dirname, '..', '..', 'fixtures', 'models');

/** Real TensorFlow.js models, shipped in the @vladmandic/face-api package (a dev dependency). */
const FACE_API_MODELS = path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');

describe('real model files from npm', () => {
  for (const model of ['tiny_face_detector_model', 'face_recognition_model', 'ssd_mobilenetv1_model']) {
    it(`reads ${model}: its weight shapes account for every byte of its shard`, async () => {
      const inspection = await inspectArtifact(path.join(FACE_API_MODELS, `${model}-weights_manifest.json`));
      assert.equal(inspection.format, 'tfjs');
      assert.equal(inspection.summary.modelFormat, 'weights-manifest');
      assert.equal(inspection.summary.missingShards, null);
      assert.ok((inspection.parameterCount ?? 0) > 100_000, String(inspection.parameterCount));
      assert.ok((inspection.summary.shardBytes as number) > 0);
      assert.equal(inspection.summary.weightBytes, inspection.summary.shardBytes);
      assert.deepEqual(inspection.findings, []);
    });
  }

  it('registers a real model folder with the inspection in its manifest', async () => {
    const project = tempFolder('real-model');
    const folder = path.join(project, 'tiny-face');
    cpSync(path.join(FACE_API_MODELS, 'tiny_face_detector_model-weights_manifest.json'), path.join(folder, 'tiny_face_detector_model-weights_manifest.json'));
    cpSync(path.join(FACE_API_MODELS, 'tiny_face_detector_model.bin'), path.join(folder, 'tiny_face_detector_model.bin'));
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
    try {
      const version = await registry.register({ model: 'tiny-face', paths: [folder], git: null });
      const { artifacts } = registry.version(`tiny-face/${version.number}`).manifest;
      assert.deepEqual(
        artifacts.map((artifact) => [artifact.path, artifact.inspection?.format, artifact.inspection?.parameterCount]),
        [['tiny-face/tiny_face_detector_model-weights_manifest.json', 'tfjs', 193_321], ['tiny-face/tiny_face_detector_model.bin', undefined, undefined]],
      );
    } finally {
      await registry.close();
    }
  });

  it('counts the weights of Silero VAD v5, which live in Constant nodes inside If branches (it reported 0)', async () => {
    const inspection = await inspectArtifact(path.join(FIXTURES, 'silero_vad.onnx'));
    // Ground truth from an independent Python protobuf walk (fixtures/models/README.md).
    assert.equal(inspection.parameterCount, 545_597);
    assert.equal(inspection.summary.nodes, 689);
    assert.equal(inspection.summary.constantTensors, 341);
    assert.equal(inspection.summary.subgraphs, 50);
    const operators = String(inspection.summary.operators).split(', ');
    assert.equal(operators.length, 25, 'every operator kind, not the first 12');
    assert.deepEqual(operators.slice(0, 6), ['Constant×341', 'Slice×60', 'Unsqueeze×46', 'Identity×34', 'Concat×26', 'If×25']);
    assert.ok(operators.includes('LSTM×4') && operators.includes('ReduceMean×2'));
    assert.deepEqual(inspection.signature?.inputs.map((input) => [input.name, input.elementType, input.shape]), [['input', 'float32', [null, null]], ['state', 'float32', [2, null, 128]], ['sr', 'int64', []]]);
  });

  it('reads a real TFLite model: tensors, operators, weights and the signature (it was format unknown)', async () => {
    const inspection = await inspectArtifact(path.join(FIXTURES, 'face_detection_short_range.tflite'));
    // Ground truth from the flatbuffers Python runtime and schema.fbs (fixtures/models/README.md).
    assert.equal(inspection.format, 'tflite');
    assert.equal(inspection.parameterCount, 101_478);
    assert.equal(inspection.tensorCount, 85);
    assert.equal(inspection.summary.tensors, 250);
    assert.equal(inspection.summary.nodes, 164);
    assert.equal(inspection.summary.operators, 'DEQUANTIZE×74, CONV_2D×21, RELU×17, DEPTHWISE_CONV_2D×16, ADD×16, PAD×11, RESHAPE×4, MAX_POOL_2D×3, CONCATENATION×2');
    assert.deepEqual(inspection.tensors?.[0], { name: 'conv2d/Kernel', dtype: 'float16', shape: [24, 5, 5, 3] });
    assert.deepEqual(inspection.signature, {
      inputs: [{ name: 'input', elementType: 'float32', shape: [1, 128, 128, 3] }],
      outputs: [{ name: 'regressors', elementType: 'float32', shape: [1, 896, 16] }, { name: 'classificators', elementType: 'float32', shape: [1, 896, 1] }],
    });
  });
});
