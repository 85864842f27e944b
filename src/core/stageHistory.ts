import type { AuditEvent } from './modelVersion';
import { isStage, type Stage } from './stage';

/** One move of one version between stages, as the audit log recorded it. */
export interface StageChange {
  seq: number;
  time: string;
  actor: string;
  version: number;
  from: Stage;
  to: Stage;
  reason: string | null;
  /** Part of a rollback of Production rather than an ordinary promotion. */
  rollback: boolean;
}

/** Which versions held a stage at a moment, worked out from the changes before it. */
export interface StageAtTime {
  stage: Stage;
  time: string;
  versions: number[];
}

/** The stage changes among a model's audit events, oldest first. */
export function stageChanges(events: readonly AuditEvent[]): StageChange[] {
  const changes: StageChange[] = [];
  for (const event of events) {
    if (event.type !== 'version.stage_changed' || event.version === null) continue;
    const details = event.details as { from?: unknown; to?: unknown; rollback?: unknown } | null;
    if (!details || !isStage(details.from) || !isStage(details.to)) continue;
    changes.push({ seq: event.seq, time: event.time, actor: event.actor, version: event.version, from: details.from, to: details.to, reason: event.reason, rollback: details.rollback === true });
  }
  return changes.sort((a, b) => a.seq - b.seq);
}

/**
 * Replays the changes up to `time` (inclusive): "what was in Production on date D". Event times are
 * the writers' clocks, so the sequence order decides, and time only picks the cut-off.
 */
export function versionsInStageAt(changes: readonly StageChange[], stage: Stage, time: Date): StageAtTime {
  const holders = new Set<number>();
  for (const change of changes) {
    if (Date.parse(change.time) > time.getTime()) break;
    if (change.to === stage) holders.add(change.version);
    else if (change.from === stage) holders.delete(change.version);
  }
  return { stage, time: time.toISOString(), versions: [...holders].sort((a, b) => a - b) };
}

/**
 * The version that held Production before the current one. Production's holders form a stack:
 * a promotion pushes, a rollback pops, so rolling back twice goes two steps back rather than
 * flipping between two versions. Versions that no longer exist are passed over. Undefined when
 * Production never changed hands.
 */
export function previousProductionVersion(changes: readonly StageChange[], current: number, exists: (version: number) => boolean): number | undefined {
  const holders: number[] = [];
  for (const change of changes) {
    if (change.to !== 'Production') continue;
    if (change.rollback) {
      while (holders.length > 0 && holders[holders.length - 1] !== change.version) holders.pop();
      if (holders.length === 0) holders.push(change.version);
    } else {
      holders.push(change.version);
    }
  }
  for (let index = holders.length - 1; index >= 0; index--) {
    if (holders[index] !== current && exists(holders[index])) return holders[index];
  }
  return undefined;
}
