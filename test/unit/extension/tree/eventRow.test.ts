import assert from 'node:assert/strict';
import type { AuditEvent } from '../../../../src/core/modelVersion';
import { eventRow } from '../../../../src/extension/tree/eventRow';

describe('eventRow', () => {
  const event: AuditEvent = { seq: 7, time: '2026-12-02T01:00:00.000Z', actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version: 2, reason: 'better auc', details: { from: 'Staging', to: 'Production', gates: { passed: true, results: [] } } };
  const options = { now: new Date('2026-12-02T04:00:00.000Z'), locale: 'en-GB', timeZone: 'UTC' };

  it('shows the sentence, when and by whom, and the reason, with no JSON in the label, hover or screen-reader text', () => {
    const row = eventRow(event, options);
    assert.deepEqual(row, {
      label: 'Moved fraud-detector/2 from Staging to Production (gates passed)',
      description: '3 hours ago · ana@example.com · better auc',
      tooltip: 'Moved fraud-detector/2 from Staging to Production (gates passed)\n2 Dec 2026, 01:00 (3 hours ago) by ana@example.com\nReason: better auc',
      accessibilityLabel: 'Moved fraud-detector/2 from Staging to Production (gates passed), 3 hours ago, 2 Dec 2026, 01:00, by ana@example.com. Reason: better auc',
    });
    for (const text of Object.values(row)) assert.doesNotMatch(text, /[{}"]/);
  });

  it('leaves out a reason that was not given', () => {
    const row = eventRow({ ...event, reason: null }, options);
    assert.equal(row.description, '3 hours ago · ana@example.com');
    assert.doesNotMatch(row.tooltip + row.accessibilityLabel, /Reason/);
  });
});
