import assert from 'node:assert/strict';
import type { AuditEvent } from '../../../src/core/modelVersion';
import type { Stage } from '../../../src/core/stage';
import { previousProductionVersion, stageChanges, versionsInStageAt } from '../../../src/core/stageHistory';

let seq = 0;
function moved(version: number, from: Stage, to: Stage, time: string, rollback = false): AuditEvent {
  seq += 1;
  return { seq, time, actor: 'alice@example.com', type: 'version.stage_changed', model: 'm', version, reason: null, details: rollback ? { from, to, rollback } : { from, to } };
}

/** 1 → 2 → 3 in Production on the 1st, 2nd and 3rd of the month, each archiving the one before. */
function threeReleases(): AuditEvent[] {
  return [
    moved(1, 'None', 'Production', '2026-11-01T10:00:00Z'),
    moved(1, 'Production', 'Archived', '2026-11-02T10:00:00Z'),
    moved(2, 'Staging', 'Production', '2026-11-02T10:00:00Z'),
    moved(2, 'Production', 'Archived', '2026-11-03T10:00:00Z'),
    moved(3, 'None', 'Production', '2026-11-03T10:00:00Z'),
  ];
}

describe('stage history', () => {
  it('keeps only stage changes, oldest first, whatever order the events come in', () => {
    const events = [...threeReleases(), { ...moved(3, 'None', 'None', '2026-11-04T00:00:00Z'), type: 'version.alias_set', details: { alias: 'x' } }].reverse();
    assert.deepEqual(stageChanges(events).map((change) => [change.version, change.to]), [[1, 'Production'], [1, 'Archived'], [2, 'Production'], [2, 'Archived'], [3, 'Production']]);
  });

  it('answers which version was in Production at a moment', () => {
    const changes = stageChanges(threeReleases());
    assert.deepEqual(versionsInStageAt(changes, 'Production', new Date('2026-10-31T00:00:00Z')).versions, []);
    assert.deepEqual(versionsInStageAt(changes, 'Production', new Date('2026-11-01T12:00:00Z')).versions, [1]);
    assert.deepEqual(versionsInStageAt(changes, 'Production', new Date('2026-11-02T10:00:00Z')).versions, [2]);
    assert.deepEqual(versionsInStageAt(changes, 'Production', new Date('2026-11-30T00:00:00Z')).versions, [3]);
    assert.deepEqual(versionsInStageAt(changes, 'Archived', new Date('2026-11-30T00:00:00Z')).versions, [1, 2]);
  });

  it('steps back through earlier Production versions, one per rollback, skipping deleted ones', () => {
    const events = threeReleases();
    const all = () => true;
    assert.equal(previousProductionVersion(stageChanges(events), 3, all), 2);
    events.push(moved(3, 'Production', 'Archived', '2026-11-04T10:00:00Z', true), moved(2, 'Archived', 'Production', '2026-11-04T10:00:00Z', true));
    assert.equal(previousProductionVersion(stageChanges(events), 2, all), 1, 'a second rollback goes further back, not forward to 3');
    assert.equal(previousProductionVersion(stageChanges(events), 2, (version) => version !== 1), undefined);
    assert.equal(previousProductionVersion(stageChanges(threeReleases().slice(0, 1)), 1, all), undefined);
  });
});
