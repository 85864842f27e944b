import assert from 'node:assert/strict';
import { aliasesLeftBehind } from '../../../../src/extension/flows/aliasesLeftBehind';

describe('aliasesLeftBehind', () => {
  it('names each alias that keeps pointing at the version, in the right number', () => {
    assert.equal(aliasesLeftBehind('fraud', 'fraud/3', ['champion']), 'fraud@champion still points at fraud/3 afterwards; move it with Set Alias… if serving code follows it.');
    assert.equal(aliasesLeftBehind('fraud', 'fraud/3', ['champion', 'eu']), 'fraud@champion, fraud@eu still point at fraud/3 afterwards; move them with Set Alias… if serving code follows them.');
  });

  it('says nothing when the version has no alias', () => {
    assert.equal(aliasesLeftBehind('fraud', 'fraud/3', []), '');
  });
});
