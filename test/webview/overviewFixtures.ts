import type { OverviewRow } from '../../src/core/registryOverview';

/** Overview rows with every coloured text the table shows: a better and a worse metric, stages, a pending approval. */
export function sampleOverviewRows(): OverviewRow[] {
  const version = (number: number, semver: string | null = null) => ({ number, semver, createdAt: '2026-01-04T10:00:00.000Z', since: '2026-01-05T10:00:00.000Z' });
  return [
    {
      model: 'fraud', description: null, versionCount: 3, latest: version(3), production: version(2, '1.1.0'), staging: version(3),
      metrics: [
        { name: 'auc', direction: 'max', production: 0.91, latest: 0.94, change: 0.03, verdict: 'better' },
        { name: 'latency_ms', direction: 'min', production: 12, latest: 15, change: 3, verdict: 'worse' },
      ],
      pendingApprovals: 1, lastChange: { time: '2026-01-06T10:00:00.000Z', actor: 'ana@example.com', type: 'approval.requested', version: 3 }, storageBytes: 53,
    },
    { model: 'churn', description: null, versionCount: 1, latest: version(1), production: null, staging: null, metrics: [{ name: 'recall', direction: null, production: null, latest: 0.7, change: null, verdict: null }], pendingApprovals: 0, lastChange: null, storageBytes: 3000 },
  ];
}
