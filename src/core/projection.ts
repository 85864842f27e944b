import type { RegistryEvent } from './events';
import { fingerprintOf, type ParamValue } from './manifest';
import { RegistryError } from './registryError';
import type { SqlDatabase } from './sqlDatabase';

/**
 * Applies events to the database. The same code runs for a live mutation and for replaying the op
 * log on open, so the database is always exactly what the log says.
 */
export class Projection {
  private readonly metricKeys = new Map<string, number>();
  private readonly paramKeys = new Map<string, number>();

  constructor(private readonly db: SqlDatabase) {}

  position(): { seq: number; hash: string; offset: number } {
    const rows = this.db.all<{ key: string; value: string }>("SELECT key, value FROM meta WHERE key IN ('last_seq', 'last_hash', 'oplog_offset')");
    const meta = new Map(rows.map((row) => [row.key, row.value]));
    return {
      seq: Number(meta.get('last_seq') ?? 0),
      hash: meta.get('last_hash') ?? '0'.repeat(64),
      offset: Number(meta.get('oplog_offset') ?? 0),
    };
  }

  /** Applies one op-log line (a batch written atomically) and records where the log now ends. */
  applyBatch(events: readonly RegistryEvent[], oplogOffset: number): void {
    for (const event of events) this.apply(event);
    const last = events[events.length - 1];
    const setMeta = 'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value';
    if (last) {
      this.db.run(setMeta, ['last_seq', String(last.seq)]);
      this.db.run(setMeta, ['last_hash', last.hash]);
    }
    this.db.run(setMeta, ['oplog_offset', String(oplogOffset)]);
  }

  private apply(event: RegistryEvent): void {
    if (event.type === 'registry.repaired') {
      // About the registry, not a model: only the audit log keeps it.
      this.db.run('INSERT INTO events (seq, time, actor, type, model_id, version, reason, details) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)', [event.seq, event.time, event.actor, event.type, event.reason ?? null, JSON.stringify(event.payload)]);
      return;
    }
    const modelId = event.type === 'model.created' ? this.createModel(event) : this.modelId(event);
    switch (event.type) {
      case 'model.created':
        break;
      case 'model.updated':
        if (event.payload.description !== undefined) this.db.run('UPDATE models SET description = ? WHERE id = ?', [event.payload.description, modelId]);
        this.applyTags('model_tags', 'model_id', modelId, event.payload.tags);
        break;
      case 'version.registered':
        this.registerVersion(event, modelId);
        break;
      case 'version.stage_changed':
        this.db.run('UPDATE model_versions SET stage = ? WHERE id = ?', [event.payload.to, this.versionId(event, modelId)]);
        break;
      case 'version.alias_set':
        this.db.run('INSERT INTO aliases (model_id, alias, version_id) VALUES (?, ?, ?) ON CONFLICT (model_id, alias) DO UPDATE SET version_id = excluded.version_id', [
          modelId,
          event.payload.alias,
          this.versionId(event, modelId),
        ]);
        break;
      case 'version.alias_removed':
        this.db.run('DELETE FROM aliases WHERE model_id = ? AND alias = ?', [modelId, event.payload.alias]);
        break;
      case 'version.updated': {
        const versionId = this.versionId(event, modelId);
        if (event.payload.description !== undefined) this.db.run('UPDATE model_versions SET description = ? WHERE id = ?', [event.payload.description, versionId]);
        this.applyTags('version_tags', 'version_id', versionId, event.payload.tags);
        break;
      }
      case 'version.deleted':
        this.deleteVersion(event, modelId);
        break;
      case 'model.deleted':
        // The row stays (its events name it, and its numbers stay taken); listings leave it out.
        this.db.run('UPDATE models SET deleted_at = ? WHERE id = ?', [event.time, modelId]);
        break;
      case 'approval.requested':
      case 'approval.approved':
      case 'approval.rejected':
        // Requests are read back from the events table; the version they name must exist.
        this.versionId(event, modelId);
        break;
      default:
        throw new RegistryError('CORRUPT', `Event #${(event as RegistryEvent).seq} has an unknown type '${(event as RegistryEvent).type}'.`);
    }
    // Registration details live in the version row; other events keep their payload for the audit view.
    const details = event.type === 'version.registered' ? null : JSON.stringify(event.payload);
    this.db.run('INSERT INTO events (seq, time, actor, type, model_id, version, reason, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      event.seq,
      event.time,
      event.actor,
      event.type,
      modelId,
      event.version ?? null,
      event.reason ?? null,
      details,
    ]);
  }

  private createModel(event: Extract<RegistryEvent, { type: 'model.created' }>): number {
    this.db.run('INSERT INTO models (name, description, created_at) VALUES (?, ?, ?)', [event.model, event.payload.description ?? null, event.time]);
    const id = this.modelId(event);
    this.applyTags('model_tags', 'model_id', id, event.payload.tags);
    return id;
  }

  private registerVersion(event: Extract<RegistryEvent, { type: 'version.registered' }>, modelId: number): void {
    const { payload } = event;
    const number = event.version;
    if (number === undefined) throw new RegistryError('CORRUPT', `Event #${event.seq} registers a version without a number.`);
    if (fingerprintOf(payload.manifest) !== payload.fingerprint) {
      throw new RegistryError('CORRUPT', `Event #${event.seq} registers ${event.model}/${number} with a manifest that does not match its fingerprint.`);
    }
    const git = payload.manifest.lineage.git;
    this.db.run(
      `INSERT INTO model_versions (ulid, model_id, number, semver, stage, fingerprint, description, created_at, created_by, git_commit, git_branch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [payload.id, modelId, number, payload.semver ?? null, payload.stage, payload.fingerprint, payload.description ?? null, event.time, event.actor, git?.commit ?? null, git?.branch ?? null],
    );
    // Numbers are never reused, not even after a version is deleted: the model remembers the next one.
    this.db.run('UPDATE models SET next_number = MAX(next_number, ?) WHERE id = ?', [number + 1, modelId]);
    const versionId = this.versionId(event, modelId);
    for (const [key, metric] of Object.entries(payload.manifest.metrics)) {
      this.db.run('INSERT INTO version_metrics (version_id, key_id, value, direction) VALUES (?, ?, ?, ?)', [
        versionId,
        this.keyId('metric_keys', this.metricKeys, key),
        metric.value,
        metric.direction ?? null,
      ]);
    }
    for (const [key, value] of Object.entries(payload.manifest.lineage.params)) {
      this.db.run('INSERT INTO version_params (version_id, key_id, value) VALUES (?, ?, ?)', [versionId, this.keyId('param_keys', this.paramKeys, key), encodeParam(value)]);
    }
    for (const artifact of payload.manifest.artifacts) {
      this.db.run('INSERT INTO version_artifacts (version_id, path, size, sha256, media_type) VALUES (?, ?, ?, ?, ?)', [
        versionId,
        artifact.path,
        artifact.size,
        artifact.sha256,
        artifact.mediaType,
      ]);
    }
    payload.manifest.lineage.data.forEach((data, position) => {
      this.db.run('INSERT INTO version_data (version_id, position, uri, sha256, md5) VALUES (?, ?, ?, ?, ?)', [versionId, position, data.uri, data.sha256 ?? null, data.md5 ?? null]);
    });
    this.applyTags('version_tags', 'version_id', versionId, payload.tags);
  }

  private deleteVersion(event: Extract<RegistryEvent, { type: 'version.deleted' }>, modelId: number): void {
    const versionId = this.versionId(event, modelId);
    const row = this.db.get<{ ulid: string; fingerprint: string }>('SELECT ulid, fingerprint FROM model_versions WHERE id = ?', [versionId])!;
    for (const table of ['version_tags', 'version_metrics', 'version_params', 'version_artifacts', 'version_data', 'aliases'] as const) {
      this.db.run(`DELETE FROM ${table} WHERE version_id = ?`, [versionId]);
    }
    this.db.run('DELETE FROM model_versions WHERE id = ?', [versionId]);
    this.db.run('INSERT INTO deleted_versions (model_id, number, ulid, fingerprint, deleted_at, deleted_by, rule) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      modelId,
      event.version ?? -1,
      row.ulid,
      row.fingerprint,
      event.time,
      event.actor,
      event.payload.rule,
    ]);
  }

  private applyTags(table: 'model_tags' | 'version_tags', column: 'model_id' | 'version_id', ownerId: number, tags: Record<string, string | null> | undefined): void {
    for (const [key, value] of Object.entries(tags ?? {})) {
      if (value === null) this.db.run(`DELETE FROM ${table} WHERE ${column} = ? AND key = ?`, [ownerId, key]);
      else this.db.run(`INSERT INTO ${table} (${column}, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value`, [ownerId, key, value]);
    }
  }

  private modelId(event: RegistryEvent): number {
    const row = this.db.get<{ id: number }>('SELECT id FROM models WHERE name = ?', [event.model]);
    if (!row) throw new RegistryError('CORRUPT', `Event #${event.seq} (${event.type}) names model '${event.model}', which no earlier event created.`);
    return row.id;
  }

  private versionId(event: RegistryEvent, modelId: number): number {
    const row = this.db.get<{ id: number }>('SELECT id FROM model_versions WHERE model_id = ? AND number = ?', [modelId, event.version ?? -1]);
    if (!row) throw new RegistryError('CORRUPT', `Event #${event.seq} (${event.type}) names ${event.model}/${event.version}, which no earlier event registered.`);
    return row.id;
  }

  private keyId(table: 'metric_keys' | 'param_keys', cache: Map<string, number>, name: string): number {
    let id = cache.get(name);
    if (id === undefined) {
      this.db.run(`INSERT INTO ${table} (name) VALUES (?) ON CONFLICT (name) DO NOTHING`, [name]);
      id = this.db.get<{ id: number }>(`SELECT id FROM ${table} WHERE name = ?`, [name])!.id;
      cache.set(name, id);
    }
    return id;
  }

  /** A rolled-back transaction may have interned keys that no longer exist. */
  forgetCachedKeys(): void {
    this.metricKeys.clear();
    this.paramKeys.clear();
  }
}

/** Params keep their JSON type in one text column: "0.01" is a string, 0.01 a number. */
export function encodeParam(value: ParamValue): string {
  return JSON.stringify(value);
}
