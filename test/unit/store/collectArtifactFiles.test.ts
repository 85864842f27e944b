import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { collectArtifactFiles } from '../../../src/store/artifactFiles';
import { RegistryError, type RegistryErrorCode } from '../../../src/core/registryError';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function assertRefused(inputs: string[], code: RegistryErrorCode, why: RegExp): void {
  assert.throws(
    () => collectArtifactFiles(inputs),
    (error: unknown) => {
      assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
      assert.equal(error.code, code);
      assert.match(error.message, why);
      return true;
    },
  );
}

describe('collectArtifactFiles', () => {
  it('stores a file under its own name, with where it is and its size', () => {
    const project = writeFiles(tempFolder(), { 'models/fraud-v1.onnx': 'weights' });
    const file = path.join(project, 'models', 'fraud-v1.onnx');
    assert.deepEqual(collectArtifactFiles([file]), [{ artifactPath: 'fraud-v1.onnx', file, size: 7 }]);
  });

  it('stores the files of a folder under <folder name>/<relative path>, sorted', () => {
    const project = writeFiles(tempFolder(), { 'models/tokenizer/vocab.json': '{}', 'models/tokenizer/merges.txt': 'ab', 'models/tokenizer/config.json': '{"x":1}' });
    const folder = path.join(project, 'models', 'tokenizer');
    assert.deepEqual(collectArtifactFiles([folder]), [
      { artifactPath: 'tokenizer/config.json', file: path.join(folder, 'config.json'), size: 7 },
      { artifactPath: 'tokenizer/merges.txt', file: path.join(folder, 'merges.txt'), size: 2 },
      { artifactPath: 'tokenizer/vocab.json', file: path.join(folder, 'vocab.json'), size: 2 },
    ]);
  });

  it('walks nested folders, and sorts the whole list by artifact path', () => {
    const project = writeFiles(tempFolder(), {
      'saved_model/variables/variables.index': 'i',
      'saved_model/variables/variables.data-00000-of-00001': 'd',
      'saved_model/saved_model.pb': 'pb',
      'saved_model/assets/deep/er/vocab.txt': 'v',
      'saved_model/z-last.txt': 'z',
      // '-' sorts before '/', so this comes before the files of variables/ though the walk meets it after
      'saved_model/variables-extra.txt': 'x',
      'aaa.onnx': 'w',
    });
    const paths = collectArtifactFiles([path.join(project, 'saved_model'), path.join(project, 'aaa.onnx')]).map((file) => file.artifactPath);
    assert.deepEqual(paths, [
      'aaa.onnx',
      'saved_model/assets/deep/er/vocab.txt',
      'saved_model/saved_model.pb',
      'saved_model/variables-extra.txt',
      'saved_model/variables/variables.data-00000-of-00001',
      'saved_model/variables/variables.index',
      'saved_model/z-last.txt',
    ]);
  });

  it("names a folder given with a trailing '/' or '/.' by its own name", () => {
    const folder = path.join(writeFiles(tempFolder(), { 'tokenizer/vocab.json': '{}' }), 'tokenizer');
    for (const input of [`${folder}${path.sep}`, `${folder}${path.sep}.`]) {
      assert.deepEqual(collectArtifactFiles([input]).map((file) => file.artifactPath), ['tokenizer/vocab.json'], input);
    }
  });

  it('follows links inside a folder, but walks a folder reached twice only once', () => {
    const project = writeFiles(tempFolder(), { 'model/weights.bin': 'w', 'model/shared/vocab.json': '{}' });
    symlinkSync(path.join(project, 'model', 'shared'), path.join(project, 'model', 'tokenizer'));
    symlinkSync(path.join(project, 'model'), path.join(project, 'model', 'loop'));
    assert.deepEqual(
      collectArtifactFiles([path.join(project, 'model')]).map((file) => file.artifactPath),
      ['model/shared/vocab.json', 'model/weights.bin'],
    );
  });

  it('refuses links that point out of the folder, naming each, files and folders alike', () => {
    const project = writeFiles(tempFolder(), { 'model/weights.bin': 'w', 'secrets/credentials': 'aws_secret_access_key=x', 'shared/vocab.json': '{}' });
    symlinkSync(path.join(project, 'secrets', 'credentials'), path.join(project, 'model', 'config.txt'));
    symlinkSync(path.join('..', 'shared'), path.join(project, 'model', 'tokenizer'));
    mkdirSync(path.join(project, 'model', 'deep'));
    symlinkSync(path.join(project, 'secrets'), path.join(project, 'model', 'deep', 'more'));
    const model = path.join(project, 'model');
    assertRefused([model], 'INVALID_INPUT', /holds link\(s\) that point outside it/);
    for (const link of ['config.txt', 'tokenizer', path.join('deep', 'more')]) assertRefused([model], 'INVALID_INPUT', new RegExp(`${path.join(model, link).replace(/[\\/.]/g, '\\$&')} → `));
    // A file named directly is the user's choice, link or not.
    assert.deepEqual(collectArtifactFiles([path.join(project, 'model', 'config.txt')]).map((file) => file.artifactPath), ['config.txt']);
  });

  it("follows a Hugging Face snapshot's links into its repository's blobs, and nowhere else", () => {
    const repo = path.join(writeFiles(tempFolder(), { 'hub/models--org--bert/blobs/abc123': 'weights', 'hub/models--org--other/blobs/def456': 'x' }), 'hub', 'models--org--bert');
    const snapshot = path.join(repo, 'snapshots', 'rev1');
    mkdirSync(snapshot, { recursive: true });
    symlinkSync(path.join('..', '..', 'blobs', 'abc123'), path.join(snapshot, 'model.safetensors'));
    assert.deepEqual(collectArtifactFiles([snapshot]).map((file) => [file.artifactPath, file.size]), [['rev1/model.safetensors', 7]]);
    symlinkSync(path.join(repo, '..', 'models--org--other', 'blobs', 'def456'), path.join(snapshot, 'stolen.bin'));
    assertRefused([snapshot], 'INVALID_INPUT', /stolen\.bin → /);
  });

  it('leaves out a broken link inside a folder', () => {
    const project = writeFiles(tempFolder(), { 'model/weights.bin': 'w' });
    symlinkSync(path.join(project, 'gone'), path.join(project, 'model', 'dangling'));
    assert.deepEqual(collectArtifactFiles([path.join(project, 'model')]).map((file) => file.artifactPath), ['model/weights.bin']);
  });

  it('refuses two inputs that would be stored under the same path with INVALID_INPUT, naming both', () => {
    const project = writeFiles(tempFolder(), { 'a/model.onnx': '1', 'b/model.onnx': '2', 'c/tok/vocab.json': '{}', 'd/tok/vocab.json': '{}' });
    assertRefused([path.join(project, 'a', 'model.onnx'), path.join(project, 'b', 'model.onnx')], 'INVALID_INPUT', /a\/model\.onnx and .*b\/model\.onnx would both be stored as 'model\.onnx'/);
    assertRefused([path.join(project, 'c', 'tok'), path.join(project, 'd', 'tok')], 'INVALID_INPUT', /would both be stored as 'tok\/vocab\.json'/);
  });

  it('refuses a path that does not exist with NOT_FOUND, naming it', () => {
    const project = writeFiles(tempFolder(), { 'model.onnx': 'w' });
    const missing = path.join(project, 'no-such.onnx');
    assertRefused([path.join(project, 'model.onnx'), missing], 'NOT_FOUND', new RegExp(`^${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist`));
  });

  it('refuses a broken link given as input with NOT_FOUND', () => {
    const project = tempFolder();
    symlinkSync(path.join(project, 'gone.onnx'), path.join(project, 'model.onnx'));
    assertRefused([path.join(project, 'model.onnx')], 'NOT_FOUND', /broken link/);
  });

  it('refuses an empty folder with INVALID_INPUT', () => {
    const empty = path.join(tempFolder(), 'empty');
    mkdirSync(path.join(empty, 'nested'), { recursive: true });
    assertRefused([empty], 'INVALID_INPUT', /holds no files/);
  });

  it('refuses no inputs with INVALID_INPUT', () => {
    assertRefused([], 'INVALID_INPUT', /name at least one weight file or folder/);
  });

  it("refuses a file and a folder of the same name, which could never be pulled ('tok' and 'tok/vocab.json')", () => {
    const root = writeFiles(tempFolder(), { 'x/tok': 'a file', 'y/tok/vocab.json': '{}' });
    assertRefused([path.join(root, 'x', 'tok'), path.join(root, 'y', 'tok')], 'INVALID_INPUT', /'tok' is a file, but 'tok\/vocab.json' needs it to be a folder/);
  });

  it("refuses a file name that pull would refuse, such as one with a '\\'", () => {
    const root = writeFiles(tempFolder(), { 'model/we\\ights.bin': 'w' });
    assertRefused([path.join(root, 'model')], 'INVALID_INPUT', /cannot be registered as 'model\/we\\ights.bin'.*'\\'/);
  });
});
