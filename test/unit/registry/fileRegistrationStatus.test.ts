import assert from 'node:assert/strict';
import { appendFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../src/index';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

describe('Registry.fileStatus', () => {
  let registry: Registry;
  afterEach(async () => registry?.close());

  async function setUp() {
    const project = writeFiles(tempFolder('status'), { 'model.onnx': 'weights', 'copy.onnx': 'weights', 'other.bin': 'never registered', 'tokenizer/vocab.json': '{}' });
    registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
    await registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx'), path.join(project, 'tokenizer')], git: null });
    return project;
  }

  it('names the versions holding a registered file', async () => {
    const project = await setUp();
    assert.deepEqual(registry.fileStatus(path.join(project, 'model.onnx')), { state: 'registered', versions: [{ model: 'fraud', number: 1, path: 'model.onnx' }] });
    assert.deepEqual(registry.fileStatus(path.join(project, 'tokenizer', 'vocab.json'))?.versions, [{ model: 'fraud', number: 1, path: 'tokenizer/vocab.json' }]);
  });

  it('says a registered file changed once its size or mtime moved, without hashing it', async () => {
    const project = await setUp();
    const file = path.join(project, 'model.onnx');
    appendFileSync(file, ' and more');
    assert.equal(registry.fileStatus(file)?.state, 'changed');
    assert.deepEqual(registry.fileStatus(file)?.versions.map((v) => v.number), [1]);
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(registry.fileStatus(file)?.state, 'changed');
  });

  it('has nothing to say about files never hashed, folders or missing files', async () => {
    const project = await setUp();
    assert.equal(registry.fileStatus(path.join(project, 'other.bin')), undefined);
    assert.equal(registry.fileStatus(path.join(project, 'copy.onnx')), undefined, 'same bytes, but this path was never registered');
    assert.equal(registry.fileStatus(path.join(project, 'tokenizer')), undefined);
    assert.equal(registry.fileStatus(path.join(project, 'gone.onnx')), undefined);
  });
});
