import assert from 'node:assert/strict';
import { isHostMessage, isWebviewMessage, subjectFromSavedState } from '../../../src/extension/webviews/protocol';

describe('the messages of the overview and lineage pages', () => {
  it('accepts each request of the shape the pages send', () => {
    for (const message of [
      { type: 'filterOverview', text: '' },
      { type: 'filterOverview', text: "stage = 'Production'" },
      { type: 'expandModel', model: 'fraud' },
      { type: 'openVersion', ref: 'fraud/2' },
      { type: 'compareVersions', before: 'fraud/2', after: 'fraud/3' },
      { type: 'showLineage', subject: 'data:sha256:' + 'a'.repeat(64) },
      { type: 'promote', ref: 'fraud/3' },
    ]) assert.equal(isWebviewMessage(message), true, JSON.stringify(message));
  });

  it('ignores requests with other keys, wrong types, empty or overlong text', () => {
    for (const message of [
      { type: 'filterOverview' },
      { type: 'filterOverview', text: 3 },
      { type: 'filterOverview', text: 'x'.repeat(4097) },
      { type: 'expandModel', model: '' },
      { type: 'expandModel', model: 'fraud', extra: 1 },
      { type: 'openVersion', ref: ['fraud/2'] },
      { type: 'compareVersions', before: 'fraud/2' },
      { type: 'showLineage', subject: { toString: 'x' } },
      { type: 'runCommand', command: 'workbench.action.terminal.new' },
    ]) assert.equal(isWebviewMessage(message), false, JSON.stringify(message));
  });

  it('lets the page render only answers and pages of the expected shape', () => {
    assert.equal(isHostMessage({ type: 'overviewVersions', model: 'fraud', versions: [{ ref: 'fraud/1', number: 1, aliases: [] }] }), true);
    assert.equal(isHostMessage({ type: 'overviewFiltered', text: 'x', kind: 'query', matches: { fraud: [1, 2] } }), true);
    assert.equal(isHostMessage({ type: 'overviewFiltered', text: '', kind: 'all', matches: null }), true);
    assert.equal(isHostMessage({ type: 'overviewFiltered', text: 'x', kind: 'eval', matches: null }), false);
    assert.equal(isHostMessage({ type: 'overviewFiltered', text: 'x', kind: 'query', matches: { fraud: ['1'] } }), false);
    assert.equal(isHostMessage({ type: 'overviewVersions', model: 'fraud', versions: [{ ref: 1 }] }), false);
    assert.equal(isHostMessage({ type: 'show', page: { kind: 'overview', rows: [{ model: 'fraud', versionCount: 2, metrics: [] }] } }), true);
    assert.equal(isHostMessage({ type: 'show', page: { kind: 'overview', rows: [{ model: 'fraud' }] } }), false);
    assert.equal(isHostMessage({ type: 'overviewVocabulary', vocabulary: { metrics: ['auc'], models: ['fraud'] } }), true);
    assert.equal(isHostMessage({ type: 'overviewVocabulary', vocabulary: { metrics: [{ toString: 1 }] } }), false);
    assert.equal(isHostMessage({ type: 'show', page: { kind: 'lineage', graph: { subject: 's', nodes: [{ id: 'a', kind: 'data', label: 'x' }], edges: [{ from: 'a', to: 'b', label: 'trained on' }] } } }), true);
    assert.equal(isHostMessage({ type: 'show', page: { kind: 'lineage', graph: { subject: 's', nodes: [{ id: 'a' }], edges: [] } } }), false);
  });

  it('restores the overview, and a lineage page by its subject only', () => {
    assert.deepEqual(subjectFromSavedState({ page: { kind: 'overview', rows: [] } }), { kind: 'overview' });
    assert.deepEqual(subjectFromSavedState({ page: { kind: 'lineage', graph: { subject: 'fraud/2', nodes: [{ id: '<script>' }] } } }), { kind: 'lineage', subject: 'fraud/2' });
    assert.equal(subjectFromSavedState({ page: { kind: 'lineage', graph: { subject: '' } } }), undefined);
    assert.equal(subjectFromSavedState({ page: { kind: 'lineage', graph: { subject: 'x'.repeat(5000) } } }), undefined);
  });
});
