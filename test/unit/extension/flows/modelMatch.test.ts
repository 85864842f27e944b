import assert from 'node:assert/strict';
import { modelsByMatch } from '../../../../src/extension/flows/modelMatch';

describe('modelsByMatch', () => {
  it('puts the model sharing a word with the file first, whatever the alphabet says', () => {
    assert.deepEqual(modelsByMatch(['churn', 'alpha', 'fraud-detector'], 'fraud-v3'), ['fraud-detector', 'alpha', 'churn']);
  });

  it('leaves version words out: v3 and 2 do not make a match', () => {
    assert.deepEqual(modelsByMatch(['ranker-v3', 'fraud_scorer'], 'fraud-v3'), ['fraud_scorer', 'ranker-v3']);
    assert.deepEqual(modelsByMatch(['b-2', 'a-1'], 'x-2'), ['a-1', 'b-2']);
  });

  it('prefers more shared words, then the longer common beginning, then alphabetical order', () => {
    assert.deepEqual(modelsByMatch(['text-encoder', 'text-encoder-small', 'text-decoder'], 'text_encoder_small_v2'), ['text-encoder-small', 'text-encoder', 'text-decoder']);
    assert.deepEqual(modelsByMatch(['frozen', 'fraud'], 'fraudulent'), ['fraud', 'frozen']);
    assert.deepEqual(modelsByMatch(['zeta', 'beta'], 'qq'), ['beta', 'zeta']);
  });

  it('without a suggestion, or with no models, is alphabetical or empty', () => {
    assert.deepEqual(modelsByMatch(['b', 'a'], undefined), ['a', 'b']);
    assert.deepEqual(modelsByMatch([], 'fraud'), []);
  });
});
