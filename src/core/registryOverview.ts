import type { MetricDirection } from './manifest';
import type { SqlDatabase } from './sqlDatabase';

/** A version as a row of the overview names it: its number, label and since when it holds its stage. */
export interface OverviewVersion {
  number: number;
  semver: string | null;
  createdAt: string;
  /** When it last entered its current stage (its registration when it never changed stage). */
  since: string;
}

/** One of a model's main metrics, in its Production and its latest version, and which way it moved. */
export interface OverviewMetric {
  name: string;
  direction: MetricDirection | null;
  production: number | null;
  latest: number | null;
  /** latest − production, when both exist. */
  change: number | null;
  /** By the metric's direction; null without a direction, a change, or both values. */
  verdict: 'better' | 'worse' | 'same' | null;
}

/** What the overview page shows for one model. */
export interface OverviewRow {
  model: string;
  description: string | null;
  versionCount: number;
  latest: OverviewVersion | null;
  production: OverviewVersion | null;
  staging: OverviewVersion | null;
  metrics: OverviewMetric[];
  pendingApprovals: number;
  lastChange: { time: string; actor: string; type: string; version: number | null } | null;
  /** Bytes of the model's distinct artifact contents (a file kept unchanged across versions counts once). */
  storageBytes: number;
}

/** How many metrics a row carries: those with a direction first, then by name. */
export const MAIN_METRICS = 3;

type MetricTriple = [name: string, value: number, direction: MetricDirection | null];

/**
 * Every model's overview row, in one statement over the projection: per model the latest,
 * Production and Staging versions (by the unique (model_id, number) and partial stage indexes),
 * their metrics, the newest event (events_model index) and the distinct artifact bytes. Pending
 * approvals depend on the policy and are counted by the caller (see `withPendingApprovals`).
 */
export function overviewRows(db: SqlDatabase): OverviewRow[] {
  const rows = db.all<{
    name: string;
    description: string | null;
    version_count: number | null;
    latest: string | null;
    production: string | null;
    staging: string | null;
    latest_metrics: string | null;
    production_metrics: string | null;
    last_change: string | null;
    storage: number | null;
  }>(OVERVIEW_SQL);
  return rows.map((row) => {
    const latest = parseVersion(row.latest);
    const production = parseVersion(row.production);
    return {
      model: row.name,
      description: row.description,
      versionCount: Number(row.version_count ?? 0),
      latest,
      production,
      staging: parseVersion(row.staging),
      metrics: mainMetrics(parseMetrics(row.production_metrics), parseMetrics(row.latest_metrics)),
      pendingApprovals: 0,
      lastChange: row.last_change === null ? null : (JSON.parse(row.last_change) as OverviewRow['lastChange']),
      storageBytes: Number(row.storage ?? 0),
    };
  });
}

/** A stage's version as JSON, with the time it last entered that stage. */
const stageVersion = (stage: string) => `(SELECT json_object('number', v.number, 'semver', v.semver, 'createdAt', v.created_at,
      'since', COALESCE((SELECT MAX(e.time) FROM events e WHERE e.model_id = v.model_id AND e.version = v.number AND e.type = 'version.stage_changed'), v.created_at))
    FROM model_versions v WHERE v.model_id = m.id AND v.stage = '${stage}' AND v.stage <> 'None' ORDER BY v.number DESC LIMIT 1)`;

const metricsOf = (versionId: string) => `(SELECT json_group_array(json_array(k.name, vm.value, vm.direction))
    FROM version_metrics vm JOIN metric_keys k ON k.id = vm.key_id WHERE vm.version_id = ${versionId})`;

const OVERVIEW_SQL = `
WITH counted AS (SELECT model_id, COUNT(*) AS version_count, MAX(number) AS latest_number FROM model_versions GROUP BY model_id),
picked AS (
  SELECT m.id, m.name, m.description, c.version_count,
    (SELECT v.id FROM model_versions v WHERE v.model_id = m.id AND v.number = c.latest_number) AS latest_id,
    (SELECT v.id FROM model_versions v WHERE v.model_id = m.id AND v.stage = 'Production' AND v.stage <> 'None' ORDER BY v.number DESC LIMIT 1) AS production_id
  FROM models m LEFT JOIN counted c ON c.model_id = m.id
)
SELECT m.name, m.description, m.version_count,
  (SELECT json_object('number', v.number, 'semver', v.semver, 'createdAt', v.created_at, 'since', v.created_at) FROM model_versions v WHERE v.id = m.latest_id) AS latest,
  ${stageVersion('Production')} AS production,
  ${stageVersion('Staging')} AS staging,
  ${metricsOf('m.latest_id')} AS latest_metrics,
  ${metricsOf('m.production_id')} AS production_metrics,
  (SELECT json_object('time', e.time, 'actor', e.actor, 'type', e.type, 'version', e.version) FROM events e WHERE e.model_id = m.id ORDER BY e.seq DESC LIMIT 1) AS last_change,
  (SELECT SUM(size) FROM (SELECT DISTINCT a.sha256, a.size FROM model_versions v JOIN version_artifacts a ON a.version_id = v.id WHERE v.model_id = m.id)) AS storage
FROM picked m ORDER BY m.name`;

function parseVersion(json: string | null): OverviewVersion | null {
  return json === null ? null : (JSON.parse(json) as OverviewVersion);
}

function parseMetrics(json: string | null): Map<string, { value: number; direction: MetricDirection | null }> {
  const triples = json === null ? [] : (JSON.parse(json) as MetricTriple[]);
  return new Map(triples.map(([name, value, direction]) => [name, { value, direction }]));
}

/**
 * The metrics a row shows: those of the Production and the latest version, those with a direction
 * first (they can be judged), then by name; at most MAIN_METRICS.
 */
export function mainMetrics(
  production: ReadonlyMap<string, { value: number; direction: MetricDirection | null }>,
  latest: ReadonlyMap<string, { value: number; direction: MetricDirection | null }>,
): OverviewMetric[] {
  const names = [...new Set([...production.keys(), ...latest.keys()])];
  const directionOf = (name: string) => latest.get(name)?.direction ?? production.get(name)?.direction ?? null;
  names.sort((a, b) => Number(directionOf(b) !== null) - Number(directionOf(a) !== null) || (a < b ? -1 : a > b ? 1 : 0));
  return names.slice(0, MAIN_METRICS).map((name) => {
    const before = production.get(name)?.value ?? null;
    const after = latest.get(name)?.value ?? null;
    const direction = directionOf(name);
    const change = before === null || after === null ? null : after - before;
    return { name, direction, production: before, latest: after, change, verdict: verdictOf(change, direction) };
  });
}

function verdictOf(change: number | null, direction: MetricDirection | null): OverviewMetric['verdict'] {
  if (change === null || direction === null) return null;
  if (change === 0) return 'same';
  return (change > 0) === (direction === 'max') ? 'better' : 'worse';
}

/** The rows with each model's count of approval requests still pending. */
export function withPendingApprovals(rows: OverviewRow[], pending: readonly { model: string }[]): OverviewRow[] {
  const counts = new Map<string, number>();
  for (const request of pending) counts.set(request.model, (counts.get(request.model) ?? 0) + 1);
  return rows.map((row) => ({ ...row, pendingApprovals: counts.get(row.model) ?? 0 }));
}
