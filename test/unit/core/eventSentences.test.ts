import assert from 'node:assert/strict';
import { eventSentence } from '../../../src/core/eventSentences';
import { plural } from '../../../src/core/plural';

describe('eventSentence', () => {
  const event = (type: string, details: unknown, version: number | null = 2, model: string | null = 'fraud-detector') => ({ type, model, version, details });

  it('reads each kind of event as a sentence, without JSON', () => {
    const cases: [ReturnType<typeof event>, string][] = [
      [event('model.created', {}, null), 'Created model fraud-detector'],
      [event('version.registered', { id: '01J', semver: '1.2.0', fingerprint: 'a'.repeat(64), manifest: { artifacts: [] } }), 'Registered fraud-detector/2 as v1.2.0'],
      [event('version.registered', { semver: null }), 'Registered fraud-detector/2'],
      [event('version.stage_changed', { from: 'Staging', to: 'Production' }), 'Moved fraud-detector/2 from Staging to Production'],
      [event('version.stage_changed', { from: 'Production', to: 'Archived', supersededBy: 3 }), 'Moved fraud-detector/2 from Production to Archived (superseded by #3)'],
      [event('version.stage_changed', { from: 'Archived', to: 'Production', rollback: true }), 'Moved fraud-detector/2 from Archived to Production (a rollback)'],
      [event('version.stage_changed', { from: 'None', to: 'Production', gates: { passed: false, overridden: true, results: [] } }), 'Moved fraud-detector/2 from None to Production (failing gates overridden)'],
      [event('version.alias_set', { alias: 'champion', previous: 1 }), 'Set alias @champion on fraud-detector/2 (moved from #1)'],
      [event('version.alias_set', { alias: 'champion', previous: null }), 'Set alias @champion on fraud-detector/2'],
      [event('version.alias_removed', { alias: 'champion' }), 'Removed alias @champion from fraud-detector/2'],
      [event('version.updated', { description: 'x', tags: { a: 'b' } }), 'Changed the description and tags of fraud-detector/2'],
      [event('model.updated', { tags: {} }, null), 'Changed the tags of model fraud-detector'],
      [event('version.deleted', { rule: 'keepLast', fingerprint: 'f' }), 'Deleted fraud-detector/2 (retention rule keepLast)'],
      [event('approval.requested', { id: 'R1', stage: 'Production' }), 'Asked for approval to move fraud-detector/2 to Production (request R1)'],
      [event('approval.approved', { id: 'R1' }), 'Approved fraud-detector/2 (request R1)'],
      [event('approval.rejected', { id: 'R1' }), 'Rejected fraud-detector/2 (request R1)'],
      [event('registry.repaired', { keptAs: 'x', restored: [1, 2], rechained: 1, lost: [] }, null, ''), 'Repaired the registry: 2 versions restored, 1 change re-chained, 0 items lost'],
    ];
    for (const [input, sentence] of cases) assert.equal(eventSentence(input), sentence, input.type);
  });

  it('reads events of unknown kinds and malformed payloads from other machines without failing', () => {
    assert.equal(eventSentence(event('version.scanned', { scanner: 'x', clean: true, nested: { a: 1 } })), 'version scanned: fraud-detector/2 (scanner x, clean true)');
    for (const details of [null, 'text', 42, [1, 2], { from: 5, to: { x: 1 }, supersededBy: 'x' }]) {
      assert.match(eventSentence(event('version.stage_changed', details)), /^Moved fraud-detector\/2 (from \w+ )?to \?$/);
    }
    assert.equal(eventSentence(event('version.alias_set', { alias: 7 })), 'Set alias @? on fraud-detector/2');
  });
});

describe('plural', () => {
  it('puts the noun in the right number', () => {
    assert.deepEqual([0, 1, 2].map((count) => plural(count, 'model')), ['0 models', '1 model', '2 models']);
    assert.equal(plural(1, 'entry', 'entries'), '1 entry');
  });
});
