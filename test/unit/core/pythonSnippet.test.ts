import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { pythonSnippet } from '../../../src/core/pythonSnippet';

describe('pythonSnippet', () => {
  it('pins the version by number and offers the stage and aliases it holds in a comment', () => {
    assert.equal(
      pythonSnippet({ model: 'fraud-detector', number: 3, stage: 'Production', aliases: ['champion'] }),
      [
        'import modelregistry as mr',
        '',
        '# Exactly fraud-detector/3, verified. To follow promotions: "fraud-detector@production" or "fraud-detector@champion". Never a bare name: it means the latest registration.',
        'model_dir = mr.resolve_path("fraud-detector/3")',
        '',
      ].join('\n'),
    );
  });

  it('offers no moving reference for a version without a live stage or alias', () => {
    for (const stage of ['None', 'Archived'] as const) {
      const snippet = pythonSnippet({ model: 'm', number: 1, stage, aliases: [] });
      assert.doesNotMatch(snippet, /@/);
      assert.match(snippet, /^model_dir = mr\.resolve_path\("m\/1"\)$/m);
    }
  });

  it('is Python that compiles, for every name a model may have', () => {
    for (const model of ['fraud', 'a.b_c-1', 'x'.repeat(100)]) {
      const snippet = pythonSnippet({ model, number: 12, stage: 'Staging', aliases: ['challenger'] });
      // compile() parses without running anything; the client need not be installed.
      execFileSync('python3', ['-c', 'import sys; compile(sys.stdin.read(), "snippet", "exec")'], { input: snippet });
    }
  });
});
