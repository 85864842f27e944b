import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { parseManifest } from '../../../src/core/manifest';
import { onnxBytes, safetensorsBytes } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

async function openRegistry(): Promise<{ registry: Registry; project: string }> {
  const project = tempFolder('inspect-register');
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
  opened.push(registry);
  return { registry, project };
}

describe('registering inspects the weight files', () => {
  it('records each known file’s inspection in its manifest entry, and nothing for unknown files', async () => {
    const { registry, project } = await openRegistry();
    writeFileSync(path.join(project, 'model.safetensors'), safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [2, 3] }], { format: 'pt' }));
    writeFileSync(path.join(project, 'notes.txt'), 'trained on Tuesday');
    const version = await registry.register({ model: 'tiny', paths: [path.join(project, 'model.safetensors'), path.join(project, 'notes.txt')], git: null });
    const { manifest } = registry.version(`tiny/${version.number}`);
    const [weights, notes] = manifest.artifacts;
    assert.equal(weights.inspection?.format, 'safetensors');
    assert.equal(weights.inspection?.parameterCount, 6);
    assert.deepEqual(weights.inspection?.tensors, [{ name: 'w', dtype: 'F32', shape: [2, 3] }]);
    assert.equal(notes.path, 'notes.txt');
    assert.equal(notes.inspection, undefined);
    assert.doesNotThrow(() => parseManifest(JSON.parse(JSON.stringify(manifest)), 'round trip'));
  });

  it('stores the signature of the one weight file that has one as the version’s signature', async () => {
    const { registry, project } = await openRegistry();
    const signature = { inputs: [{ name: 'x', elementType: 'float32', shape: ['batch', 3] }], outputs: [{ name: 'y', elementType: 'int64', shape: ['batch'] }] };
    writeFileSync(path.join(project, 'model.onnx'), onnxBytes({ inputs: [{ name: 'x', elemType: 1, dims: ['batch', 3] }], outputs: [{ name: 'y', elemType: 7, dims: ['batch'] }] }));
    const version = await registry.register({ model: 'tiny', paths: [path.join(project, 'model.onnx')], git: null });
    const { manifest } = registry.version(`tiny/${version.number}`);
    assert.deepEqual(manifest.signature, signature);
    assert.deepEqual(manifest.artifacts[0].inspection?.signature, signature);
  });

  it('registers a corrupt weight file, recording why it could not be read', async () => {
    const { registry, project } = await openRegistry();
    const file = path.join(project, 'model.safetensors');
    writeFileSync(file, safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [2, 3] }]).subarray(0, 30));
    const version = await registry.register({ model: 'tiny', paths: [file], git: null });
    const inspection = registry.version(`tiny/${version.number}`).manifest.artifacts[0].inspection;
    assert.equal(inspection?.format, 'safetensors');
    assert.match(inspection?.error ?? '', /^not a readable safetensors file: /);
    assert.ok(!inspection?.error?.includes(project), 'the manifest names no machine path');
  });

  it('skips inspection when asked, recording size and hash only', async () => {
    const { registry, project } = await openRegistry();
    const file = path.join(project, 'model.safetensors');
    writeFileSync(file, safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [2] }]));
    const version = await registry.register({ model: 'tiny', paths: [file], git: null, inspect: false });
    assert.equal(registry.version(`tiny/${version.number}`).manifest.artifacts[0].inspection, undefined);
  });

  it('keeps manifests written before inspection existed valid', () => {
    const old = {
      schemaVersion: 1,
      artifacts: [{ path: 'model.onnx', size: 3, sha256: 'a'.repeat(64), mediaType: 'application/onnx' }],
      lineage: { git: null, data: [], params: {}, environment: {} },
      metrics: {},
      source: { inputs: ['model.onnx'] },
    };
    assert.doesNotThrow(() => parseManifest(old, 'old'));
  });
});
