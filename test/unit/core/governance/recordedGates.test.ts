import assert from 'node:assert/strict';
import { lastRecordedGates } from '../../../../src/core/governance/recordedGates';
import type { AuditEvent } from '../../../../src/core/modelVersion';

const event = (seq: number, type: string, details: unknown, reason: string | null = null): AuditEvent => ({ seq, time: `2026-01-0${seq}T00:00:00.000Z`, actor: `actor${seq}`, type, model: 'fraud', version: 2, reason, details });
const threshold = (passed: boolean) => ({ kind: 'threshold', rule: 'auc >= 0.9', passed, detail: `auc ${passed ? 0.93 : 0.8} (needs >= 0.9)` });

describe('lastRecordedGates', () => {
  it('takes the newest guarded stage change, whatever the order of the events', () => {
    const events = [
      event(5, 'version.stage_changed', { from: 'Staging', to: 'Production', gates: { passed: false, overridden: true, results: [threshold(false)], approvalRequests: [] } }, 'hotfix'),
      event(2, 'version.stage_changed', { from: 'None', to: 'Staging', gates: { passed: true, results: [threshold(true)], approvalRequests: [] } }),
      event(7, 'version.stage_changed', { from: 'Production', to: 'Archived' }),
      event(6, 'version.alias_set', { alias: 'champion' }),
    ];
    assert.deepEqual(lastRecordedGates(events), { stage: 'Production', time: '2026-01-05T00:00:00.000Z', actor: 'actor5', reason: 'hotfix', passed: false, overridden: true, results: [threshold(false)] });
  });

  it('is null when no move was guarded, and skips what is not of the recorded shape', () => {
    assert.equal(lastRecordedGates([event(1, 'version.registered', {}), event(2, 'version.stage_changed', { from: 'None', to: 'Staging' })]), null);
    assert.equal(lastRecordedGates([event(3, 'version.stage_changed', { to: 'Nowhere', gates: { passed: true, results: [] } })]), null);
    const odd = lastRecordedGates([event(4, 'version.stage_changed', { to: 'Staging', gates: { passed: 'yes', results: [threshold(true), { rule: 7 }, null] } })]);
    assert.deepEqual(odd?.results, [threshold(true)]);
    assert.equal(odd?.passed, false, 'only a boolean true counts as passed');
  });
});
