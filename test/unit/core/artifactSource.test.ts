import assert from 'node:assert/strict';
import path from 'node:path';
import { artifactSourcePath } from '../../../src/core/artifactSource';
import type { Manifest } from '../../../src/core/manifest';

const manifest = (inputs: string[]) => ({ source: { inputs } }) as unknown as Manifest;
const root = path.resolve('/project');

describe('artifactSourcePath', () => {
  it('finds a registered file under its input path', () => {
    assert.equal(artifactSourcePath(manifest(['models/fraud.onnx']), 'fraud.onnx', root), path.join(root, 'models', 'fraud.onnx'));
  });

  it('finds a file inside a registered folder', () => {
    assert.equal(artifactSourcePath(manifest(['models/fraud.onnx', 'models/tokenizer']), 'tokenizer/vocab.json', root), path.join(root, 'models', 'tokenizer', 'vocab.json'));
  });

  it('gives nothing for artifacts no input explains, or inputs outside the project', () => {
    assert.equal(artifactSourcePath(manifest(['models/fraud.onnx']), 'other.onnx', root), undefined);
    assert.equal(artifactSourcePath(manifest(['../elsewhere/fraud.onnx']), 'fraud.onnx', root), undefined);
  });
});
