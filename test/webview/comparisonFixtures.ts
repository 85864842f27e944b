import type { Manifest } from '../../src/core/manifest';
import { metricHistory, type MetricHistory } from '../../src/core/metricHistory';
import type { AuditEvent, ModelVersionDetails } from '../../src/core/modelVersion';
import type { Stage } from '../../src/core/stage';
import { stageChanges } from '../../src/core/stageHistory';
import { compareColumns, compareVersions, type VersionColumns, type VersionComparison } from '../../src/core/versionComparison';
import type { HostMessage } from '../../src/extension/webviews/protocol';

/** A version with the given manifest parts, as Registry.version returns it. */
export function versionDetails(number: number, manifest: Omit<Partial<Manifest>, 'lineage'> & { lineage?: Partial<Manifest['lineage']> }, extra: Partial<ModelVersionDetails> = {}): ModelVersionDetails {
  const { lineage, ...rest } = manifest;
  return {
    model: 'fraud-detector', number, id: `01J${number}`, semver: `1.${number}.0`, stage: 'None', aliases: [], fingerprint: String(number).repeat(64).slice(0, 64),
    description: null, tags: {}, createdAt: `2026-01-0${number}T10:00:00.000Z`, createdBy: 'ana@example.com', gitCommit: null, gitBranch: null,
    ...extra,
    manifest: {
      schemaVersion: 1,
      artifacts: [{ path: 'model.onnx', size: 1024, sha256: 'a'.repeat(64), mediaType: 'application/onnx' }],
      metrics: {},
      source: { inputs: ['model.onnx'] },
      ...rest,
      lineage: { git: null, data: [], params: {}, environment: {}, ...lineage },
    },
  };
}

/** Two versions with a few metrics that got better, worse and stayed, params and artifacts that changed. */
export function sampleComparison(): VersionComparison {
  const before = versionDetails(1, {
    metrics: { auc: { value: 0.91, direction: 'max' }, latency_ms: { value: 11, direction: 'min' }, loss: { value: 0.3 }, f1: { value: 0.8, direction: 'max' } },
    lineage: { params: { lr: 0.001, epochs: 10 }, git: { commit: 'c0ffee0000000000000000000000000000000001', branch: 'main' }, environment: { packages: { numpy: '1.26.0' } } },
  }, { stage: 'Archived' });
  const after = versionDetails(2, {
    metrics: { auc: { value: 0.93, direction: 'max' }, latency_ms: { value: 14, direction: 'min' }, loss: { value: 0.3 }, f1: { value: 0.8, direction: 'max' }, recall: { value: 0.7 } },
    lineage: { params: { lr: 0.0005, epochs: 10, batch: 64 }, git: { commit: 'c0ffee0000000000000000000000000000000002', branch: 'main' }, environment: { packages: { numpy: '2.0.0' } } },
    artifacts: [{ path: 'model.onnx', size: 2048, sha256: 'b'.repeat(64), mediaType: 'application/onnx' }, { path: 'vocab.json', size: 10, sha256: 'c'.repeat(64), mediaType: 'application/json' }],
  }, { stage: 'Production', aliases: ['champion'] });
  return compareVersions(before, after);
}

/** A comparison of the given size: `params` params and `metrics` metrics, about half of each changed. */
export function largeComparison(params: number, metrics: number): VersionComparison {
  const record = <T>(count: number, value: (index: number) => T) => Object.fromEntries(Array.from({ length: count }, (_, index) => [`key_${String(index).padStart(6, '0')}`, value(index)]));
  const before = versionDetails(1, { metrics: record(metrics, (i) => ({ value: i / 7, direction: i % 3 === 0 ? ('max' as const) : i % 3 === 1 ? ('min' as const) : undefined })), lineage: { params: record(params, (i) => i) } });
  const after = versionDetails(2, { metrics: record(metrics, (i) => ({ value: i % 2 ? i / 7 : i / 6, direction: i % 3 === 0 ? ('max' as const) : i % 3 === 1 ? ('min' as const) : undefined })), lineage: { params: record(params, (i) => (i % 2 ? i : `${i}x`)) } });
  return compareVersions(before, after);
}

export function showComparison(comparison: VersionComparison): HostMessage {
  return { type: 'show', page: { kind: 'comparison', comparison } };
}

/** Five versions of a model: auc rising, latency falling with a gap, #2 to Production then #4 after it via Staging. */
export function sampleHistory(): MetricHistory {
  const metrics = (auc: number, latency?: number) => ({ auc: { value: auc, direction: 'max' as const }, ...(latency === undefined ? {} : { latency_ms: { value: latency, direction: 'min' as const } }), loss: { value: 1 - auc } });
  const versions = [metrics(0.8, 30), metrics(0.85, 25), metrics(0.84), metrics(0.9, 18), metrics(0.93, 16)].map((m, index) => versionDetails(index + 1, { metrics: m }));
  let seq = 0;
  const moved = (version: number, from: Stage, to: Stage, rollback = false): AuditEvent => ({
    seq: ++seq, time: `2026-02-0${seq}T10:00:00.000Z`, actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version, reason: `step ${seq}`, details: { from, to, rollback },
  });
  return metricHistory('fraud-detector', versions, stageChanges([moved(2, 'None', 'Production'), moved(4, 'None', 'Staging'), moved(2, 'Production', 'Archived'), moved(4, 'Staging', 'Production')]));
}

export function showChart(history: MetricHistory): HostMessage {
  return { type: 'show', page: { kind: 'chart', history } };
}

/** Three versions as columns: auc best in #3, latency best in #1, loss without direction, one param the same everywhere. */
export function sampleColumns(): VersionColumns {
  const versions = [
    versionDetails(1, { metrics: { auc: { value: 0.9, direction: 'max' }, latency_ms: { value: 9, direction: 'min' }, loss: { value: 0.3 } }, lineage: { params: { lr: 0.01, epochs: 10 } } }, { stage: 'Archived' }),
    versionDetails(2, { metrics: { auc: { value: 0.92, direction: 'max' }, latency_ms: { value: 12, direction: 'min' }, loss: { value: 0.3 } }, lineage: { params: { lr: 0.005, epochs: 10 } } }, { stage: 'Production', aliases: ['champion'] }),
    versionDetails(3, { metrics: { auc: { value: 0.95, direction: 'max' }, latency_ms: { value: 14, direction: 'min' }, loss: { value: 0.3 } }, lineage: { params: { lr: 0.005, epochs: 10, batch: 64 } }, artifacts: [{ path: 'model.onnx', size: 4096, sha256: 'd'.repeat(64), mediaType: 'application/onnx' }] }, { stage: 'Staging' }),
  ];
  return compareColumns(versions);
}

export function showColumns(columns: VersionColumns): HostMessage {
  return { type: 'show', page: { kind: 'columns', columns } };
}

/** A model with `versions` versions and `metrics` metrics each, promoted to Production every tenth version. */
export function largeHistory(versions: number, metrics: number): MetricHistory {
  const all = Array.from({ length: versions }, (_, index) =>
    versionDetails(index + 1, { metrics: Object.fromEntries(Array.from({ length: metrics }, (_, metric) => [`metric_${String(metric).padStart(3, '0')}`, { value: Math.sin(index / 10 + metric), direction: 'max' as const }])) }),
  );
  const events: AuditEvent[] = [];
  for (let version = 10; version <= versions; version += 10) {
    events.push({ seq: events.length + 1, time: '2026-03-01T00:00:00.000Z', actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version, reason: null, details: { from: 'None', to: 'Production' } });
  }
  return metricHistory('fraud-detector', all, stageChanges(events));
}
