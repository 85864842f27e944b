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
 * Production and Staging versions, their metrics, the newest event (events_model index) and the
 * distinct artifact bytes. Pending approvals depend on the policy and are counted by the caller
 * (see `withPendingApprovals`).
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

/** A version as JSON; with `since`, the time it last entered its stage (its registration if it never changed stage). */
const versionJson = (idColumn: string, since: boolean) => `(SELECT json_object('number', v.number, 'semver', v.semver, 'createdAt', v.created_at,
      'since', ${since ? "COALESCE((SELECT MAX(e.time) FROM events e WHERE e.model_id = v.model_id AND e.version = v.number AND e.type = 'version.stage_changed'), v.created_at)" : 'v.created_at'})
    FROM model_versions v WHERE v.id = ${idColumn})`;

const metricsOf = (idColumn: string) => `(SELECT json_group_array(json_array(k.name, vm.value, vm.direction))
    FROM version_metrics vm JOIN metric_keys k ON k.id = vm.key_id WHERE vm.version_id = ${idColumn})`;

/*
 * Set-based on purpose, as RegistryQueries.models is: per-model subqueries that filter a model's
 * versions by stage read all 100 of them (the planner prefers the (model_id, number) index), while
 * one GROUP BY over the partial stage index reads only the staged ones. Storage stays per model:
 * a DISTINCT over a model's hundred artifacts cost less than a NOT EXISTS lookup per artifact
 * (measured at 100k versions: ~0.2 s against ~1 s).
 */
const OVERVIEW_SQL = `
WITH counted AS (SELECT model_id, COUNT(*) AS version_count, MAX(number) AS latest_number FROM model_versions GROUP BY model_id),
staged AS (SELECT model_id, stage, MAX(number) AS number FROM model_versions WHERE stage IN ('Production', 'Staging') AND stage <> 'None' GROUP BY model_id, stage),
picked AS (
  SELECT m.id, m.name, m.description, c.version_count, lv.id AS latest_id, pv.id AS production_id, sv.id AS staging_id
    FROM models m
    LEFT JOIN counted c ON c.model_id = m.id
    LEFT JOIN model_versions lv ON lv.model_id = m.id AND lv.number = c.latest_number
    LEFT JOIN staged ps ON ps.model_id = m.id AND ps.stage = 'Production'
    LEFT JOIN model_versions pv ON pv.model_id = m.id AND pv.number = ps.number
    LEFT JOIN staged ss ON ss.model_id = m.id AND ss.stage = 'Staging'
    LEFT JOIN model_versions sv ON sv.model_id = m.id AND sv.number = ss.number
)
SELECT p.name, p.description, p.version_count,
  ${versionJson('p.latest_id', false)} AS latest,
  ${versionJson('p.production_id', true)} AS production,
  ${versionJson('p.staging_id', true)} AS staging,
  ${metricsOf('p.latest_id')} AS latest_metrics,
  ${metricsOf('p.production_id')} AS production_metrics,
  (SELECT json_object('time', e.time, 'actor', e.actor, 'type', e.type, 'version', e.version) FROM events e WHERE e.model_id = p.id ORDER BY e.seq DESC LIMIT 1) AS last_change,
  (SELECT SUM(size) FROM (SELECT DISTINCT a.sha256, a.size FROM model_versions v JOIN version_artifacts a ON a.version_id = v.id WHERE v.model_id = p.id)) AS storage
FROM picked p ORDER BY p.name`;

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
