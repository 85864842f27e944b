import type { AuditEvent } from '../../src/core/modelVersion';
import type { HostMessage } from '../../src/extension/webviews/protocol';

/** A registry's log, newest first: a registration, a promotion with a long reason, an alias, another model. */
export function sampleLog(): HostMessage {
  const events: AuditEvent[] = [
    { seq: 5, time: '2026-01-05T10:00:00.000Z', actor: 'bo@example.com', type: 'version.registered', model: 'churn', version: 1, reason: null, details: { semver: '0.1.0' } },
    { seq: 4, time: '2026-01-04T10:00:00.000Z', actor: 'ana@example.com', type: 'version.alias_set', model: 'fraud-detector', version: 2, reason: null, details: { alias: 'champion', previous: null } },
    { seq: 3, time: '2026-01-03T10:00:00.000Z', actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version: 2, reason: 'auc up two points on the March hold-out set, latency within budget, reviewed with the risk team', details: { from: 'Staging', to: 'Production' } },
    { seq: 2, time: '2026-01-02T10:00:00.000Z', actor: 'ana@example.com', type: 'version.registered', model: 'fraud-detector', version: 2, reason: null, details: { semver: '1.1.0' } },
    { seq: 1, time: '2026-01-01T10:00:00.000Z', actor: 'ana@example.com', type: 'model.created', model: 'fraud-detector', version: null, reason: null, details: {} },
  ];
  return { type: 'show', page: { kind: 'log', model: null, events } };
}
