import assert from 'node:assert/strict';
import { subjectFromSavedState } from '../../../src/extension/webviews/protocol';
import { sampleColumns, sampleComparison, sampleHistory, versionDetails } from '../../webview/comparisonFixtures';

describe('restoring a version page from its saved state', () => {
  const saved = (page: unknown) => ({ page, view: { sort: { column: 'name', descending: false }, changedOnly: false, chartMetrics: null } });

  it('takes the references of each kind of page, and nothing else', () => {
    assert.deepEqual(subjectFromSavedState(saved({ kind: 'details', details: versionDetails(2, {}), uri: 'x', events: [] })), { kind: 'details', ref: 'fraud-detector/2' });
    assert.deepEqual(subjectFromSavedState(saved({ kind: 'comparison', comparison: sampleComparison() })), { kind: 'comparison', before: 'fraud-detector/1', after: 'fraud-detector/2' });
    assert.deepEqual(subjectFromSavedState(saved({ kind: 'chart', history: sampleHistory() })), { kind: 'chart', model: 'fraud-detector' });
    assert.deepEqual(subjectFromSavedState(saved({ kind: 'columns', columns: sampleColumns() })), { kind: 'columns', refs: ['fraud-detector/1', 'fraud-detector/2', 'fraud-detector/3'] });
    assert.deepEqual(subjectFromSavedState(saved({ kind: 'columns', columns: { versions: [{ ref: 'a/1' }, { ref: 'b/2' }], extra: '<script>' } })), { kind: 'columns', refs: ['a/1', 'b/2'] });
  });

  it('restores nothing from state that names no exact version', () => {
    for (const state of [
      undefined,
      null,
      'details',
      { page: null },
      saved({ kind: 'details', details: { model: '../../etc', number: 1 } }),
      saved({ kind: 'details', details: { model: 'm', number: 1.5 } }),
      saved({ kind: 'comparison', comparison: { before: { ref: 'm@production' }, after: { ref: 'm/2' } } }),
      saved({ kind: 'comparison', comparison: { before: { ref: 'm/1' }, after: { ref: ' m/2' } } }),
      saved({ kind: 'chart', history: { model: '<img src=x onerror=alert(1)>' } }),
      saved({ kind: 'columns', columns: { versions: [{ ref: 'm/1' }] } }),
      saved({ kind: 'columns', columns: { versions: Array.from({ length: 6 }, (_, index) => ({ ref: `m/${index + 1}` })) } }),
      saved({ kind: 'columns', columns: { versions: [{ ref: 'm/1' }, { ref: 'javascript:alert(1)' }] } }),
      saved({ kind: 'eval', code: 'x' }),
    ]) {
      assert.equal(subjectFromSavedState(state), undefined, JSON.stringify(state));
    }
  });
});
