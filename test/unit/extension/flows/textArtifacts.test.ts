import assert from 'node:assert/strict';
import { opensAsText } from '../../../../src/extension/flows/textArtifacts';

describe('opensAsText', () => {
  it('opens companion files as text and weight files not', () => {
    for (const file of ['config.json', 'params.yaml', 'README.md', 'labels.txt']) assert.equal(opensAsText(file, 'application/octet-stream'), true, file);
    for (const file of ['model.onnx', 'model.pt', 'weights.safetensors', 'model.gguf', 'x.pkl', 'tokenizer.model', 'MODEL.ONNX']) assert.equal(opensAsText(file, 'application/octet-stream'), false, file);
  });

  it('goes by the recorded media type for files of no known extension', () => {
    assert.equal(opensAsText('LICENSE', 'text/plain'), true);
    assert.equal(opensAsText('vocab', 'application/json'), true);
    assert.equal(opensAsText('blob', 'application/octet-stream'), false);
  });
});
