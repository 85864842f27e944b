import type { AuditEvent } from '../modelVersion';
import { isStage, type Stage } from '../stage';

/** One rule as a stage change recorded it. */
export interface RecordedGateResult {
  kind: string;
  rule: string;
  passed: boolean;
  detail: string;
}

/** The gate evaluation a guarded stage change stored with its event: what the rules said when the version moved. */
export interface RecordedGates {
  stage: Stage;
  time: string;
  actor: string;
  reason: string | null;
  passed: boolean;
  /** A person bypassed failing rules (`--override --reason`, or Override… in the editor). */
  overridden: boolean;
  results: RecordedGateResult[];
}

/**
 * The newest gate evaluation recorded for a version, from its events (any order). A refused
 * promotion records nothing, so this is the last move the policy guarded and let through.
 * Events come from the log, which other clients write too: anything not of the recorded shape is skipped.
 */
export function lastRecordedGates(events: readonly AuditEvent[]): RecordedGates | null {
  let newest: { seq: number; gates: RecordedGates } | null = null;
  for (const event of events) {
    if (event.type !== 'version.stage_changed' || (newest && event.seq < newest.seq)) continue;
    const details = (event.details ?? {}) as { to?: unknown; gates?: { passed?: unknown; overridden?: unknown; results?: unknown } };
    const gates = details.gates;
    if (!gates || !isStage(details.to) || !Array.isArray(gates.results)) continue;
    const results = gates.results.filter(isRecordedResult);
    newest = { seq: event.seq, gates: { stage: details.to, time: event.time, actor: event.actor, reason: event.reason, passed: gates.passed === true, overridden: gates.overridden === true, results } };
  }
  return newest?.gates ?? null;
}

function isRecordedResult(value: unknown): value is RecordedGateResult {
  const result = value as Partial<RecordedGateResult> | null;
  return typeof result === 'object' && result !== null && typeof result.rule === 'string' && typeof result.passed === 'boolean' && typeof result.detail === 'string' && typeof result.kind === 'string';
}
