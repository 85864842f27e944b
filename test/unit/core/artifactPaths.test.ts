import assert from 'node:assert/strict';
import { artifactPathProblem, assertSafeArtifactPath } from '../../../src/core/artifactPaths';
import { RegistryError } from '../../../src/core/registryError';

describe('assertSafeArtifactPath', () => {
  it('accepts relative POSIX paths', () => {
    for (const safe of ['model.onnx', 'tok/vocab.json', 'saved_model/variables/variables.data-00000-of-00001', '..hidden', 'a/.b', 'x..y/z']) {
      assert.equal(artifactPathProblem(safe), undefined, safe);
      assert.doesNotThrow(() => assertSafeArtifactPath(safe), safe);
    }
  });

  const refused: [string, string, RegExp][] = [
    ['an absolute POSIX path', '/etc/passwd', /absolute/],
    ['a Windows drive path', 'C:/x', /absolute/],
    ['a Windows drive path in lowercase, without a slash', 'c:x', /absolute/],
    ["'..' alone", '..', /'\.\.'/],
    ["'..' that climbs out after going in", 'a/../../b', /'\.\.'/],
    ["a trailing '..'", 'a/..', /'\.\.'/],
    ['an empty segment', 'a//b', /empty or '\.' segment/],
    ['a trailing slash', 'a/', /empty or '\.' segment/],
    ["a '.' segment", './a', /empty or '\.' segment/],
    ['a backslash', 'a\\b', /'\\'/],
    ['a backslash climbing out', '..\\escape', /'\\'/],
    ['an empty path', '', /empty/],
    ['a NUL character', 'model\0.onnx', /NUL/],
  ];
  for (const [what, unsafe, why] of refused) {
    it(`refuses ${what} with UNSAFE_PATH`, () => {
      assert.throws(() => assertSafeArtifactPath(unsafe), (error: unknown) => {
        assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
        assert.equal(error.code, 'UNSAFE_PATH');
        assert.ok(error.message.startsWith(`Refusing artifact path '${unsafe}': `), error.message);
        assert.match(error.message, why);
        return true;
      });
    });
  }
});
