import { RegistryError } from './registryError';
import type { SqlDatabase } from './sqlDatabase';

/**
 * The database schema, as an ordered list of migrations. `PRAGMA user_version` records how many have
 * run. The database keeps only what is queried (names, numbers, stages, aliases, tags, metrics,
 * params, hashes, lineage keys); whole manifests live as blobs, so 100k versions stay small enough
 * to open in an editor. Metric and param names are interned, since 100k versions repeat them 1M times.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at TEXT NOT NULL,
    next_number INTEGER NOT NULL DEFAULT 1
  );
  CREATE TABLE model_tags (
    model_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (model_id, key)
  ) WITHOUT ROWID;

  CREATE TABLE model_versions (
    id INTEGER PRIMARY KEY,
    ulid TEXT NOT NULL UNIQUE,
    model_id INTEGER NOT NULL REFERENCES models (id),
    number INTEGER NOT NULL,
    semver TEXT,
    stage TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    description TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    git_commit TEXT,
    git_branch TEXT,
    UNIQUE (model_id, number)
  );
  CREATE UNIQUE INDEX model_versions_fingerprint ON model_versions (model_id, fingerprint);
  CREATE UNIQUE INDEX model_versions_semver ON model_versions (model_id, semver) WHERE semver IS NOT NULL;
  CREATE INDEX model_versions_stage ON model_versions (stage, model_id) WHERE stage <> 'None';

  CREATE TABLE version_tags (
    version_id INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (version_id, key)
  ) WITHOUT ROWID;

  CREATE TABLE metric_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE version_metrics (
    version_id INTEGER NOT NULL, key_id INTEGER NOT NULL, value REAL NOT NULL, direction TEXT,
    PRIMARY KEY (version_id, key_id)
  ) WITHOUT ROWID;
  CREATE INDEX version_metrics_value ON version_metrics (key_id, value);

  CREATE TABLE param_keys (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE version_params (
    version_id INTEGER NOT NULL, key_id INTEGER NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (version_id, key_id)
  ) WITHOUT ROWID;

  CREATE TABLE version_artifacts (
    version_id INTEGER NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, media_type TEXT NOT NULL,
    PRIMARY KEY (version_id, path)
  ) WITHOUT ROWID;
  CREATE INDEX version_artifacts_sha256 ON version_artifacts (sha256);

  CREATE TABLE version_data (
    version_id INTEGER NOT NULL, position INTEGER NOT NULL, uri TEXT NOT NULL, sha256 TEXT,
    PRIMARY KEY (version_id, position)
  ) WITHOUT ROWID;
  CREATE INDEX version_data_sha256 ON version_data (sha256) WHERE sha256 IS NOT NULL;

  CREATE TABLE aliases (
    model_id INTEGER NOT NULL, alias TEXT NOT NULL, version_id INTEGER NOT NULL,
    PRIMARY KEY (model_id, alias)
  ) WITHOUT ROWID;

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    time TEXT NOT NULL,
    actor TEXT NOT NULL,
    type TEXT NOT NULL,
    model_id INTEGER,
    version INTEGER,
    reason TEXT,
    details TEXT
  );
  CREATE INDEX events_model ON events (model_id, seq);
  `,
  // Retention: a deleted version leaves a tombstone, so its number stays taken and a reference to it
  // says what happened. Registries from before have deleted nothing, so the table starts empty.
  `
  CREATE TABLE deleted_versions (
    model_id INTEGER NOT NULL, number INTEGER NOT NULL, ulid TEXT NOT NULL, fingerprint TEXT NOT NULL,
    deleted_at TEXT NOT NULL, deleted_by TEXT NOT NULL, rule TEXT NOT NULL,
    PRIMARY KEY (model_id, number)
  ) WITHOUT ROWID;
  CREATE INDEX events_stage_changes ON events (model_id, version) WHERE type = 'version.stage_changed';
  `,
  // DVC's md5 of each data entry, searchable as data.md5. Rows projected before hold NULL: their
  // md5s are in the manifests and the op log, and a rebuild from the log (mreg repair) fills them.
  `
  ALTER TABLE version_data ADD COLUMN md5 TEXT;
  CREATE INDEX version_data_md5 ON version_data (md5) WHERE md5 IS NOT NULL;
  `,
  // A deleted model keeps its row (its events and used numbers name it) with the time it was deleted;
  // who and why are in its model.deleted event. Registries from before have deleted no model.
  `
  ALTER TABLE models ADD COLUMN deleted_at TEXT;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersionOf(db: SqlDatabase): number {
  return Number(db.get<{ user_version: number }>('PRAGMA user_version')?.user_version ?? 0);
}

/** Brings a database up to this release's schema; refuses one from a newer release. */
export function migrate(db: SqlDatabase): void {
  const current = schemaVersionOf(db);
  if (current > SCHEMA_VERSION) {
    throw new RegistryError(
      'NEWER_FORMAT',
      `This registry's database was written by a newer Model Registry (schema ${current}; this one reads up to ${SCHEMA_VERSION}). Upgrade mreg and the extension.`,
    );
  }
  for (let version = current; version < SCHEMA_VERSION; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]);
      db.exec(`PRAGMA user_version = ${version + 1}`);
    });
  }
}
