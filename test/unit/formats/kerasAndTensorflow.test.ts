import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { assertCorrupt, proto, zipBytes } from '../../support/modelFixtures';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

const SEQUENTIAL = {
  module: 'keras',
  class_name: 'Sequential',
  config: {
    name: 'classifier',
    layers: [
      { class_name: 'InputLayer', config: { name: 'input' } },
      { class_name: 'Dense', config: { name: 'dense' } },
      { class_name: 'Dense', config: { name: 'head' } },
    ],
  },
};

const HDF5_SIGNATURE = '\x89HDF\r\n\x1a\n';

/** HDF5 bytes with attribute strings where h5py leaves them: raw text among binary headers. */
function h5Bytes(...attributes: string[]): Buffer {
  return Buffer.concat([Buffer.from(HDF5_SIGNATURE, 'latin1'), Buffer.alloc(88, 1), ...attributes.flatMap((text) => [Buffer.from(text), Buffer.alloc(16)])]);
}

/** A saved_model.pb: one MetaGraphDef tagged 'serve' with a serving_default signature. */
function savedModelBytes(): Buffer {
  const dim = (size: number): Buffer => proto.bytes(2, proto.int(1, size));
  const tensorInfo = (name: string, dtype: number, dims: number[]): Buffer => proto.bytes(2, [proto.bytes(1, name), proto.int(2, dtype), proto.bytes(3, dims.map(dim))]);
  const signatureDef = proto.bytes(2, [
    proto.bytes(1, [proto.bytes(1, 'features'), tensorInfo('serving_default_features:0', 1, [-1, 4])]),
    proto.bytes(2, [proto.bytes(1, 'label'), tensorInfo('StatefulPartitionedCall:0', 9, [-1])]),
    proto.bytes(3, 'tensorflow/serving/predict'),
  ]);
  const metaGraph = proto.bytes(2, [
    proto.bytes(1, [proto.bytes(4, 'serve'), proto.bytes(5, '2.15.0')]),
    proto.bytes(2, Buffer.alloc(5000, 7)),
    proto.bytes(5, [proto.bytes(1, 'serving_default'), signatureDef]),
  ]);
  return Buffer.concat([proto.int(1, 1), metaGraph]);
}

describe('Keras and TensorFlow inspectors', () => {
  it('reads a .keras archive: architecture, layer count, Keras version, and flags Lambda layers', async () => {
    const config = { ...SEQUENTIAL, config: { ...SEQUENTIAL.config, layers: [...SEQUENTIAL.config.layers, { class_name: 'Lambda', config: { name: 'scale', function: 'base64 bytecode' } }] } };
    const dir = writeFiles(tempFolder('keras'), {
      'model.keras': zipBytes({ 'metadata.json': JSON.stringify({ keras_version: '3.3.3', date_saved: '2024-05-01@10:00:00' }), 'config.json': JSON.stringify(config), 'model.weights.h5': Buffer.alloc(64) }),
    });
    const inspection = await inspectArtifact(path.join(dir, 'model.keras'));
    assert.equal(inspection.format, 'keras');
    assert.deepEqual(
      [inspection.summary.architecture, inspection.summary.name, inspection.summary.layers, inspection.summary.kerasVersion, inspection.summary.weightsBytes],
      // A Sequential model's len(model.layers) leaves out its InputLayer.
      ['Sequential', 'classifier', 3, '3.3.3', 64],
    );
    assert.deepEqual(inspection.findings.map((finding) => [finding.severity, finding.code, finding.where]), [['high', 'keras.lambda-layer', 'layer scale']]);
  });

  it('counts parameters and reads the signature of the keras.io MNIST convnet as Keras reports them', async () => {
    // keras.io/examples/vision/mnist_convnet: model.summary() prints "Total params: 34,826".
    const layer = (class_name: string, config: Record<string, unknown>) => ({ module: 'keras.layers', class_name, config, registered_name: null });
    const config = {
      module: 'keras',
      class_name: 'Sequential',
      config: {
        name: 'sequential',
        dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } },
        layers: [
          layer('InputLayer', { batch_shape: [null, 28, 28, 1], dtype: 'float32', name: 'input_layer' }),
          layer('Conv2D', { name: 'conv2d', filters: 32, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', dilation_rate: [1, 1], groups: 1, use_bias: true }),
          layer('MaxPooling2D', { name: 'max_pooling2d', pool_size: [2, 2], padding: 'valid', strides: [2, 2] }),
          layer('Conv2D', { name: 'conv2d_1', filters: 64, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', dilation_rate: [1, 1], groups: 1, use_bias: true }),
          layer('MaxPooling2D', { name: 'max_pooling2d_1', pool_size: [2, 2], padding: 'valid', strides: [2, 2] }),
          layer('Flatten', { name: 'flatten' }),
          layer('Dropout', { name: 'dropout', rate: 0.5 }),
          layer('Dense', { name: 'dense', units: 10, activation: 'softmax', use_bias: true }),
        ],
      },
    };
    const dir = writeFiles(tempFolder('keras'), { 'mnist.keras': zipBytes({ 'config.json': JSON.stringify(config) }) });
    const inspection = await inspectArtifact(path.join(dir, 'mnist.keras'));
    assert.equal(inspection.summary.layers, 7);
    assert.equal(inspection.parameterCount, 34_826);
    assert.deepEqual(inspection.signature, {
      inputs: [{ name: 'input_layer', elementType: 'float32', shape: [null, 28, 28, 1] }],
      outputs: [{ name: 'dense', elementType: 'float32', shape: [null, 10] }],
    });
  });

  it('reads a Functional model from its per-layer build_config, and says when a layer is not known', async () => {
    // keras.io/guides/functional_api: 784 → Dense 64 → Dense 64 → Dense 10, "Total params: 55,050".
    const dense = (name: string, units: number, inputs: number) => ({ class_name: 'Dense', name, config: { name, units, use_bias: true }, build_config: { input_shape: [null, inputs] } });
    const model = (extra: object[]) => ({
      class_name: 'Functional',
      config: {
        name: 'mnist_model',
        layers: [{ class_name: 'InputLayer', name: 'img', config: { batch_shape: [null, 784], dtype: 'float32', name: 'img' } }, dense('dense', 64, 784), dense('dense_1', 64, 64), dense('dense_2', 10, 64), ...extra],
        input_layers: [['img', 0, 0]],
        output_layers: [['dense_2', 0, 0]],
      },
    });
    const dir = writeFiles(tempFolder('keras'), {
      'functional.keras': zipBytes({ 'config.json': JSON.stringify(model([])) }),
      'custom.keras': zipBytes({ 'config.json': JSON.stringify(model([{ class_name: 'MyAttention', config: { name: 'attention' } }])) }),
    });
    const functional = await inspectArtifact(path.join(dir, 'functional.keras'));
    assert.equal(functional.parameterCount, 55_050);
    // A Functional model's layers include its InputLayer (len(model.layers) is 4 in the keras.io guide's model).
    assert.equal(functional.summary.layers, 4);
    assert.deepEqual(functional.signature, { inputs: [{ name: 'img', elementType: 'float32', shape: [null, 784] }], outputs: [{ name: 'dense_2', elementType: 'float32', shape: [null, 10] }] });
    const custom = await inspectArtifact(path.join(dir, 'custom.keras'));
    assert.equal(custom.parameterCount, undefined);
    assert.equal(custom.summary.parameterCountUnknown, 'layer attention (MyAttention)');
  });

  it('finds model_config in an .h5 file, past an optimizer config that looks alike', async () => {
    const dir = writeFiles(tempFolder('h5'), { 'model.h5': h5Bytes('{"class_name": "Adam", "config": {"learning_rate": 0.001}}', JSON.stringify(SEQUENTIAL).replace(/":/g, '": ').replace(/,"/g, ', "')) });
    const inspection = await inspectArtifact(path.join(dir, 'model.h5'));
    assert.equal(inspection.format, 'h5');
    assert.deepEqual([inspection.summary.modelConfig, inspection.summary.architecture, inspection.summary.layers], [true, 'Sequential', 2]);
  });

  it('says an .h5 file of weights only has no model config', async () => {
    const dir = writeFiles(tempFolder('h5'), { 'weights.h5': h5Bytes('dense/kernel:0') });
    assert.deepEqual((await inspectArtifact(path.join(dir, 'weights.h5'))).summary, { modelConfig: false });
  });

  it('reads a TensorFlow.js model.json: weights, parameters, topology, signature and missing shards', async () => {
    const dir = writeFiles(tempFolder('tfjs'), {
      'model.json': JSON.stringify({
        format: 'layers-model',
        generatedBy: 'keras v2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.17.0',
        modelTopology: { model_config: SEQUENTIAL },
        weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: [{ name: 'dense/kernel', shape: [4, 8], dtype: 'float32' }, { name: 'dense/bias', shape: [8], dtype: 'float32' }] }],
        signature: { inputs: { features: { name: 'features:0', dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }, { size: '4' }] } } }, outputs: {} },
      }),
      'group1-shard1of2.bin': Buffer.alloc(160),
    });
    const inspection = await inspectArtifact(path.join(dir, 'model.json'));
    assert.equal(inspection.format, 'tfjs');
    assert.equal(inspection.parameterCount, 40);
    assert.deepEqual([inspection.summary.modelFormat, inspection.summary.architecture, inspection.summary.layers, inspection.summary.shards, inspection.summary.missingShards], ['layers-model', 'Sequential', 2, 2, 'group1-shard2of2.bin']);
    assert.deepEqual(inspection.signature, { inputs: [{ name: 'features', elementType: 'float32', shape: [null, 4] }], outputs: [] });
  });

  it('leaves a model.json of another tool as unknown', async () => {
    const dir = writeFiles(tempFolder('tfjs'), { 'model.json': '{"vocab_size": 32000}' });
    assert.equal((await inspectArtifact(path.join(dir, 'model.json'))).format, 'unknown');
  });

  it('reads a SavedModel: tags, TensorFlow version, serving signature and variables size; registration stores the signature', async () => {
    const project = writeFiles(tempFolder('savedmodel'), {
      'export/saved_model.pb': savedModelBytes(),
      'export/variables/variables.index': Buffer.alloc(10),
      'export/variables/variables.data-00000-of-00001': Buffer.alloc(90),
    });
    const inspection = await inspectArtifact(path.join(project, 'export', 'saved_model.pb'));
    assert.equal(inspection.format, 'savedmodel');
    assert.deepEqual(
      [inspection.summary.tags, inspection.summary.tensorflowVersion, inspection.summary.signatures, inspection.summary.variablesFiles, inspection.summary.variablesBytes],
      ['serve', '2.15.0', 'serving_default', 2, 100],
    );
    const signature = { inputs: [{ name: 'features', elementType: 'float32', shape: [null, 4] }], outputs: [{ name: 'label', elementType: 'int64', shape: [null] }] };
    assert.deepEqual(inspection.signature, signature);

    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
    try {
      const version = await registry.register({ model: 'tf', paths: [path.join(project, 'export')], git: null });
      const { manifest } = registry.version(`tf/${version.number}`);
      assert.deepEqual(manifest.artifacts.map((artifact) => [artifact.path, artifact.inspection?.format]), [['export/saved_model.pb', 'savedmodel'], ['export/variables/variables.data-00000-of-00001', undefined], ['export/variables/variables.index', undefined]]);
      assert.deepEqual(manifest.signature, signature);
    } finally {
      await registry.close();
    }
  });

  const corrupt: [string, string, Buffer, RegExp][] = [
    ['a .keras zip without config.json', 'model.keras', zipBytes({ 'model.weights.h5': 'x' }), /holds no config\.json/],
    ['a .keras whose config.json is not JSON', 'model.keras', zipBytes({ 'config.json': '{"class_name": ' }), /config\.json is not valid JSON/],
    ['a truncated .keras', 'model.keras', zipBytes({ 'config.json': JSON.stringify(SEQUENTIAL) }).subarray(0, 100), /not a readable zip archive/],
    ['an .h5 without the HDF5 signature', 'model.h5', Buffer.from('not hdf5 at all'), /no HDF5 signature/],
    ['a model.json that is not JSON', 'model.json', Buffer.from('{"weightsManifest": ['), /not valid JSON/],
    ['a truncated saved_model.pb', 'saved_model.pb', savedModelBytes().subarray(0, 2000), /past the end/],
  ];
  for (const [what, name, bytes, message] of corrupt) {
    it(`refuses ${what} with an error naming the file`, async () => {
      const file = path.join(tempFolder('tf-corrupt'), name);
      writeFileSync(file, bytes);
      await assertCorrupt(file, { 'model.keras': 'keras', 'model.h5': 'h5', 'model.json': 'tfjs', 'saved_model.pb': 'savedmodel' }[name] ?? name, message);
    });
  }
});
