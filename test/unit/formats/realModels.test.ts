import assert from 'node:assert/strict';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

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
});
