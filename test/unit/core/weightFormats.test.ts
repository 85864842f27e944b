import assert from 'node:assert/strict';
import path from 'node:path';
import { weightFileExtensions, weightFormatOf } from '../../../src/core/weightFormats';

describe('weightFormatOf', () => {
  it('reads the extension as path.extname does, without node:path (the query language runs in a webview)', () => {
    const names = ['model.onnx', 'MODEL.ONNX', 'dir.d/model.safetensors', 'dir/.onnx', 'model.onnx.bak', 'a.b.gguf', 'noext', 'trailing.', 'weights.pt/', 'x/y/z.h5', 'C:\\models\\net.tflite'];
    for (const extension of weightFileExtensions()) names.push(`some/file${extension}`, `file${extension.toUpperCase()}`);
    for (const name of names) {
      // Node's own reading, on POSIX; on Windows paths the backslash also separates.
      const expected = path.posix.extname(name.replace(/\\/g, '/')).toLowerCase();
      assert.equal(weightFormatOf(name), weightFormatOf(`x${expected}`) ?? undefined, name);
    }
    assert.equal(weightFormatOf('dir/.onnx'), undefined, 'a dot file has no extension');
    assert.equal(weightFormatOf('C:\\models\\net.tflite')?.inspector, weightFormatOf('net.tflite')?.inspector);
  });
});
