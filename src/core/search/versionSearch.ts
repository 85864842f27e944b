import parseSemver from 'semver/functions/parse';
import type { ModelVersion } from '../modelVersion';
import type { RegistryQueries } from '../registryQueries';
import type { SqlDatabase } from '../sqlDatabase';
import { STAGES } from '../stage';
import { compileOrderBy, compileQuery, parseOrderBy } from './queryCompiler';
import { FORMATS } from './queryFields';
import { parseQuery, type KnownKeys } from './queryParser';

export interface SearchOptions {
  /** `metrics.accuracy DESC`; default: model name, then newest version first. */
  orderBy?: string;
  limit?: number;
  /** What `now` means in relative times (tests pin it). */
  now?: Date;
}

export interface SearchHit extends ModelVersion {
  /** The data it was trained on, so "which data trained …" is one query. */
  data: { uri: string; sha256: string | null }[];
  /** The value of the --order-by field, when one was given. */
  orderValue?: number | string | null;
}

/** What the registry holds, for completing a query as it is typed. */
export interface QueryVocabulary extends KnownKeys {
  models: string[];
  stages: readonly string[];
  aliases: string[];
  actors: string[];
  branches: string[];
  formats: readonly string[];
}

const VOCABULARY_LIMIT = 200;

/** Runs a search query (see queryParser.ts for the language); throws QueryError for bad text. */
export function searchVersions(db: SqlDatabase, queries: RegistryQueries, text: string, options: SearchOptions = {}): SearchHit[] {
  ensureSqlFunctions(db);
  const known = knownKeys(db);
  const compiled = compileQuery(text, parseQuery(text, known), options.now);
  const order = compileOrderBy(options.orderBy === undefined ? undefined : parseOrderBy(options.orderBy));
  const rows = db.allOnce<{ id: number; sort_value: number | string | null }>(
    `SELECT v.id, ${order.select} AS sort_value FROM model_versions v JOIN models m ON m.id = v.model_id
      WHERE ${compiled.where} ORDER BY ${order.orderBy} LIMIT ?`,
    [...order.params, ...compiled.params, options.limit ?? -1],
  );
  const versions = queries.versionsByIds(rows.map((row) => Number(row.id)));
  const data = dataOf(db, rows.map((row) => Number(row.id)));
  return versions.map((version, index) => {
    const hit: SearchHit = { ...version, data: data.get(Number(rows[index].id)) ?? [] };
    if (options.orderBy !== undefined) hit.orderValue = rows[index].sort_value;
    return hit;
  });
}

export function knownKeys(db: SqlDatabase): KnownKeys {
  return {
    tags: column(db, 'SELECT DISTINCT key AS value FROM version_tags ORDER BY key LIMIT ?'),
    metrics: column(db, 'SELECT name AS value FROM metric_keys ORDER BY name LIMIT ?'),
    params: column(db, 'SELECT name AS value FROM param_keys ORDER BY name LIMIT ?'),
  };
}

export function queryVocabulary(db: SqlDatabase): QueryVocabulary {
  return {
    ...knownKeys(db),
    models: column(db, 'SELECT name AS value FROM models ORDER BY name LIMIT ?'),
    stages: STAGES,
    aliases: column(db, 'SELECT DISTINCT alias AS value FROM aliases ORDER BY alias LIMIT ?'),
    actors: column(db, 'SELECT DISTINCT created_by AS value FROM model_versions ORDER BY created_by LIMIT ?'),
    branches: column(db, 'SELECT DISTINCT git_branch AS value FROM model_versions WHERE git_branch IS NOT NULL ORDER BY git_branch LIMIT ?'),
    formats: FORMATS,
  };
}

function column(db: SqlDatabase, sql: string): string[] {
  return db.all<{ value: string }>(sql, [VOCABULARY_LIMIT]).map((row) => String(row.value));
}

function dataOf(db: SqlDatabase, ids: number[]): Map<number, { uri: string; sha256: string | null }[]> {
  const byVersion = new Map<number, { uri: string; sha256: string | null }[]>();
  for (let start = 0; start < ids.length; start += 1000) {
    const chunk = ids.slice(start, start + 1000);
    const rows = db.allOnce<{ version_id: number; uri: string; sha256: string | null }>(
      `SELECT version_id, uri, sha256 FROM version_data WHERE version_id IN (${chunk.map(() => '?').join(',')}) ORDER BY version_id, position`,
      chunk,
    );
    for (const row of rows) {
      const list = byVersion.get(Number(row.version_id)) ?? [];
      list.push({ uri: row.uri, sha256: row.sha256 });
      byVersion.set(Number(row.version_id), list);
    }
  }
  return byVersion;
}

const withFunctions = new WeakSet<SqlDatabase>();

function ensureSqlFunctions(db: SqlDatabase): void {
  if (withFunctions.has(db)) return;
  db.defineFunction('semver_order', (label) => (typeof label === 'string' ? semverOrderKey(label) : null));
  withFunctions.add(db);
}

/** A text whose order is semver precedence: zero-padded numbers, prereleases before the release. */
export function semverOrderKey(label: string): string | null {
  const parsed = parseSemver(label);
  if (!parsed) return null;
  const pad = (n: number): string => String(n).padStart(12, '0');
  const core = `${pad(parsed.major)}.${pad(parsed.minor)}.${pad(parsed.patch)}`;
  if (parsed.prerelease.length === 0) return `${core}~`;
  // Numeric identifiers sort before alphanumeric ones ('0' < '1'); the separator (a space) sorts
  // below every identifier character, so fewer identifiers come first as semver says.
  return `${core}-${parsed.prerelease.map((part) => (typeof part === 'number' ? `0${pad(part)}` : `1${part}`)).join(' ')}`;
}
