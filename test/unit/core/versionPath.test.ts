import assert from 'node:assert/strict';
import type { ResolvedVersion } from '../../../src/core/modelVersion';
import { isRegistryError } from '../../../src/core/registryError';
import { parseRef } from '../../../src/core/refs';
import { narrowToPath } from '../../../src/core/versionPath';

/** A resolved version with these artifact paths (sizes and hashes are not what is under test). */
function resolved(paths: string[]): ResolvedVersion {
  return {
    version: { model: 'WineQuality', number: 3 } as ResolvedVersion['version'],
    artifacts: paths.map((p, index) => ({ path: p, size: index, sha256: String(index).repeat(64).slice(0, 64), mediaType: 'application/octet-stream', blobPath: `/blobs/${index}` })),
    pinned: true,
  };
}

const paths = (version: ResolvedVersion): string[] => version.artifacts.map((artifact) => artifact.path);

describe('narrowToPath (models:/name/<ref>/<path>)', () => {
  const mlflowModel = resolved(['model/MLmodel', 'model/conda.yaml', 'model/data/model.pkl', 'model/data/scaler.pkl', 'model/requirements.txt']);

  it('finds a file as MLflow names it, relative to the model folder a version was registered from', () => {
    const ref = parseRef('models:/WineQuality/3/MLmodel');
    assert.deepEqual(paths(narrowToPath(mlflowModel, ref.path!)), ['model/MLmodel']);
    assert.deepEqual(paths(narrowToPath(mlflowModel, 'model/MLmodel')), ['model/MLmodel']);
  });

  it('finds every artifact under a folder, paths unchanged, so a pull writes them where a whole pull would', () => {
    assert.deepEqual(paths(narrowToPath(mlflowModel, 'data')), ['model/data/model.pkl', 'model/data/scaler.pkl']);
    assert.deepEqual(paths(narrowToPath(mlflowModel, 'model/data/')), ['model/data/model.pkl', 'model/data/scaler.pkl']);
    assert.deepEqual(narrowToPath(mlflowModel, 'model').artifacts, mlflowModel.artifacts);
  });

  it('does not take a name that only starts like a folder', () => {
    assert.throws(() => narrowToPath(resolved(['model/data.bin', 'model/database/x']), 'data'), (error) => isRegistryError(error, 'NOT_FOUND'));
  });

  it('reads paths of versions made of several top-level files as they are', () => {
    const several = resolved(['tokenizer/vocab.json', 'weights.safetensors']);
    assert.deepEqual(paths(narrowToPath(several, 'weights.safetensors')), ['weights.safetensors']);
    assert.deepEqual(paths(narrowToPath(several, 'tokenizer')), ['tokenizer/vocab.json']);
  });

  it('says which artifacts there are when the path names none', () => {
    assert.throws(
      () => narrowToPath(mlflowModel, 'MLmodel.yaml'),
      (error) => isRegistryError(error, 'NOT_FOUND') && /WineQuality\/3 has no artifact or folder 'MLmodel\.yaml'; its artifacts are model\/MLmodel, model\/conda\.yaml/.test(error.message),
    );
  });
});
