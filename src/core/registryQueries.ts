import type { Manifest, MetricDirection } from './manifest';
import type { AuditEvent, ModelVersion, RegisteredModel } from './modelVersion';
import { describeSelector, type Ref } from './refs';
import { MANUAL_DELETION } from './events';
import { RegistryError } from './registryError';
import type { SqlDatabase } from './sqlDatabase';
import type { Stage } from './stage';
import { setOwn, userKeyedRecord } from './userKeyedRecord';

/** Read side of the registry: every query the CLI, the library and the extension show. */
export class RegistryQueries {
  constructor(private readonly db: SqlDatabase) {}

  /**
   * Every model with its counts. Set-based on purpose: per-model subqueries cost ~0.4 s on a
   * registry of 100k versions, which the sidebar pays on every render.
   */
  models(): RegisteredModel[] {
    return this.modelRows();
  }

  /** How many models and versions: cheap, for status lines and empty-state checks. */
  counts(): { models: number; versions: number } {
    const row = this.db.get<{ models: number; versions: number }>('SELECT (SELECT COUNT(*) FROM models WHERE deleted_at IS NULL) AS models, (SELECT COUNT(*) FROM model_versions) AS versions');
    return { models: Number(row?.models ?? 0), versions: Number(row?.versions ?? 0) };
  }

  model(name: string): RegisteredModel {
    const found = this.modelRows(name)[0];
    if (!found) throw this.unknownModel(name);
    return found;
  }

  private modelRows(name?: string): RegisteredModel[] {
    const onlyNamed = (alias: string) => (name === undefined ? '' : `JOIN models m ON m.id = ${alias}.model_id AND m.name = ?`);
    const params = name === undefined ? [] : [name];
    const models = this.db.all<{ id: number; name: string; description: string | null; created_at: string }>(
      `SELECT m.id, m.name, m.description, m.created_at FROM models m WHERE m.deleted_at IS NULL ${name === undefined ? '' : 'AND m.name = ?'} ORDER BY m.name`,
      params,
    );
    const counts = new Map(
      this.db
        .all<{ model_id: number; version_count: number; latest: number }>(
          `SELECT v.model_id, COUNT(*) AS version_count, MAX(v.number) AS latest FROM model_versions v ${onlyNamed('v')} GROUP BY v.model_id`,
          params,
        )
        .map((row) => [row.model_id, row]),
    );
    // "<> 'None'" lets SQLite use the partial stage index.
    const production = new Map(
      this.db
        .all<{ model_id: number; number: number }>(
          `SELECT v.model_id, v.number FROM model_versions v ${onlyNamed('v')} WHERE v.stage = 'Production' AND v.stage <> 'None'`,
          params,
        )
        .map((row) => [row.model_id, row.number]),
    );
    const tags = groupTags(
      this.db.all<{ owner: number; key: string; value: string }>(`SELECT t.model_id AS owner, t.key, t.value FROM model_tags t ${onlyNamed('t')} ORDER BY t.model_id, t.key`, params),
    );
    return models.map((row) => ({
      name: row.name,
      description: row.description,
      tags: tags.get(row.id) ?? userKeyedRecord(),
      createdAt: row.created_at,
      versionCount: Number(counts.get(row.id)?.version_count ?? 0),
      latestVersion: counts.get(row.id)?.latest ?? null,
      productionVersion: production.get(row.id) ?? null,
    }));
  }

  hasModel(name: string): boolean {
    return this.modelId(name) !== undefined;
  }

  /** The registered model that differs from `name` only in letter case, if any (SQLite's lower() folds ASCII, as names are). */
  modelNameDifferingInCase(name: string): string | undefined {
    return this.db.get<{ name: string }>('SELECT name FROM models WHERE lower(name) = lower(?) AND name <> ? LIMIT 1', [name, name])?.name;
  }

  /** Newest first. */
  versions(model: string): ModelVersion[] {
    const modelId = this.modelId(model);
    if (modelId === undefined) throw this.unknownModel(model);
    return this.versionRows('WHERE v.model_id = ? ORDER BY v.number DESC', [modelId]);
  }

  versionsInStage(stage: Stage, model?: string): ModelVersion[] {
    if (model === undefined) return this.versionRows('WHERE v.stage = ? ORDER BY m.name, v.number DESC', [stage]);
    return this.versionRows('WHERE v.stage = ? AND m.name = ? ORDER BY v.number DESC', [stage, model]);
  }

  /** The version a reference points at, or an error that says which part found nothing. */
  find(ref: Ref): ModelVersion {
    const modelId = this.modelId(ref.model);
    if (modelId === undefined) throw this.unknownModel(ref.model);
    const { selector } = ref;
    let where: string;
    let params: (string | number)[];
    switch (selector.kind) {
      case 'number':
        where = 'WHERE v.model_id = ? AND v.number = ?';
        params = [modelId, selector.number];
        break;
      case 'stage':
        where = 'WHERE v.model_id = ? AND v.stage = ? ORDER BY v.number DESC LIMIT 1';
        params = [modelId, selector.stage];
        break;
      case 'alias':
        where = 'WHERE v.id = (SELECT version_id FROM aliases WHERE model_id = ? AND alias = ?)';
        params = [modelId, selector.alias];
        break;
      case 'semver':
        where = 'WHERE v.model_id = ? AND v.semver = ?';
        params = [modelId, selector.semver];
        break;
      case 'latest':
        where = 'WHERE v.model_id = ? ORDER BY v.number DESC LIMIT 1';
        params = [modelId];
        break;
    }
    const [version] = this.versionRows(where, params);
    if (version) return version;
    if (selector.kind === 'number') {
      const tombstone = this.deletedVersion(modelId, selector.number);
      if (tombstone) {
        const why = tombstone.rule === MANUAL_DELETION ? `: ${tombstone.reason ?? 'no reason given'}` : ` (retention: ${tombstone.rule})`;
        throw new RegistryError('NOT_FOUND', `${ref.model}/${selector.number} was deleted on ${tombstone.deleted_at} by ${tombstone.deleted_by}${why}; its history remains in: mreg log ${ref.model}`);
      }
    }
    const hint =
      selector.kind === 'stage'
        ? ` Promote one with: mreg promote ${ref.model}/<number> ${selector.stage.toLowerCase()}`
        : selector.kind === 'alias'
          ? ` Set it with: mreg alias ${ref.model}/<number> ${selector.alias}`
          : ` Its versions: mreg versions ${ref.model}`;
    throw new RegistryError('NOT_FOUND', `Model '${ref.model}' has no ${describeSelector(selector)}.${hint}`);
  }

  /** Versions whose metric lies in a range, best first by that metric's value (descending). */
  versionsByMetric(metric: string, range: { min?: number; max?: number; limit?: number }): (ModelVersion & { metricValue: number })[] {
    const versions = this.versionRowsWith(
      `JOIN version_metrics vm ON vm.version_id = v.id
        WHERE vm.key_id = (SELECT id FROM metric_keys WHERE name = ?) AND vm.value >= ? AND vm.value <= ?
        ORDER BY vm.value DESC LIMIT ?`,
      [metric, range.min ?? -Number.MAX_VALUE, range.max ?? Number.MAX_VALUE, range.limit ?? -1],
      'vm.value',
    );
    return versions.map(({ version, extra }) => ({ ...version, metricValue: Number(extra) }));
  }

  /**
   * Every metric of every version of a model, by version number, in one indexed query: what the
   * metrics chart draws, without reading and parsing each version's manifest.
   */
  metricsOfVersions(model: string): Map<number, Manifest['metrics']> {
    const modelId = this.modelId(model);
    if (modelId === undefined) throw this.unknownModel(model);
    const rows = this.db.all<{ number: number; name: string; value: number; direction: MetricDirection | null }>(
      `SELECT v.number, k.name, vm.value, vm.direction
         FROM model_versions v JOIN version_metrics vm ON vm.version_id = v.id JOIN metric_keys k ON k.id = vm.key_id
        WHERE v.model_id = ?`,
      [modelId],
    );
    const byVersion = new Map<number, Manifest['metrics']>();
    for (const row of rows) {
      let metrics = byVersion.get(row.number);
      if (!metrics) byVersion.set(row.number, (metrics = userKeyedRecord()));
      setOwn(metrics, row.name, row.direction ? { value: row.value, direction: row.direction } : { value: row.value });
    }
    return byVersion;
  }

  /** The model an approval request belongs to, so that reading it back scans only that model's events. */
  modelOfApprovalRequest(id: string): string | undefined {
    return this.db.get<{ name: string }>(
      `SELECT m.name FROM events e JOIN models m ON m.id = e.model_id
        WHERE e.type = 'approval.requested' AND json_extract(e.details, '$.id') = ? LIMIT 1`,
      [id],
    )?.name;
  }

  /** Versions by database id, in the order given (search results). */
  versionsByIds(ids: readonly number[]): ModelVersion[] {
    const byId = new Map<number, ModelVersion>();
    for (let start = 0; start < ids.length; start += 1000) {
      const chunk = ids.slice(start, start + 1000);
      const rows = this.versionRowsWith(`WHERE v.id IN (${chunk.map(() => '?').join(',')})`, [...chunk], 'v.id');
      for (const row of rows) byId.set(Number(row.extra), row.version);
    }
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  findByFingerprint(model: string, fingerprint: string): ModelVersion | undefined {
    const modelId = this.modelId(model);
    if (modelId === undefined) return undefined;
    return this.versionRows('WHERE v.model_id = ? AND v.fingerprint = ?', [modelId, fingerprint])[0];
  }

  findBySemver(model: string, semver: string): ModelVersion | undefined {
    const modelId = this.modelId(model);
    if (modelId === undefined) return undefined;
    return this.versionRows('WHERE v.model_id = ? AND v.semver = ?', [modelId, semver])[0];
  }

  nextNumber(model: string): number {
    return Number(this.db.get<{ next_number: number }>('SELECT next_number FROM models WHERE name = ?', [model])?.next_number ?? 1);
  }

  aliasTarget(model: string, alias: string): number | undefined {
    const row = this.db.get<{ number: number }>(
      'SELECT v.number FROM aliases a JOIN models m ON m.id = a.model_id JOIN model_versions v ON v.id = a.version_id WHERE m.name = ? AND a.alias = ?',
      [model, alias],
    );
    return row?.number;
  }

  /** The versions holding an artifact with this content, newest first. */
  versionsWithArtifact(sha256: string): { model: string; number: number; path: string }[] {
    return this.db.all<{ model: string; number: number; path: string }>(
      `SELECT m.name AS model, v.number AS number, a.path AS path
         FROM version_artifacts a JOIN model_versions v ON v.id = a.version_id JOIN models m ON m.id = v.model_id
        WHERE a.sha256 = ? ORDER BY v.created_at DESC, v.id DESC`,
      [sha256],
    );
  }

  /** Every artifact and manifest digest a version refers to, for integrity checks. */
  referencedBlobs(): { sha256: string; owner: string }[] {
    return this.db.all<{ sha256: string; owner: string }>(
      `SELECT a.sha256 AS sha256, m.name || '/' || v.number || ' ' || a.path AS owner
         FROM version_artifacts a JOIN model_versions v ON v.id = a.version_id JOIN models m ON m.id = v.model_id
       UNION ALL
       SELECT v.fingerprint, m.name || '/' || v.number || ' manifest' FROM model_versions v JOIN models m ON m.id = v.model_id`,
    );
  }

  events(options: { model?: string; type?: string; limit?: number } = {}): AuditEvent[] {
    const params: (string | number)[] = [];
    const conditions: string[] = [];
    if (options.model !== undefined) {
      // A deleted model's history stays readable: its deletion message points here.
      const modelId = this.db.get<{ id: number }>('SELECT id FROM models WHERE name = ?', [options.model])?.id;
      if (modelId === undefined) throw this.unknownModel(options.model);
      conditions.push('e.model_id = ?');
      params.push(modelId);
    }
    if (options.type !== undefined) {
      conditions.push('e.type = ?');
      params.push(options.type);
    }
    const where = conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
    params.push(options.limit ?? -1);
    const rows = this.db.all<{ seq: number; time: string; actor: string; type: string; model: string | null; version: number | null; reason: string | null; details: string | null }>(
      `SELECT e.seq, e.time, e.actor, e.type, m.name AS model, e.version, e.reason, e.details
         FROM events e LEFT JOIN models m ON m.id = e.model_id ${where} ORDER BY e.seq DESC LIMIT ?`,
      params,
    );
    return rows.map((row) => ({ ...row, details: row.details === null ? null : (JSON.parse(row.details) as unknown) }));
  }

  /**
   * Versions with their aliases and tags, in the order the clause after `FROM model_versions v JOIN
   * models m` gives, with one extra column where asked. Tags come in one query per thousand
   * versions rather than one per version.
   */
  private versionRows(clause: string, params: (string | number)[]): ModelVersion[] {
    return this.versionRowsWith(clause, params).map((row) => row.version);
  }

  private versionRowsWith(clause: string, params: (string | number)[], extraColumn = 'NULL'): { version: ModelVersion; extra: number | string | null }[] {
    const rows = this.db.all<{
      id: number;
      name: string;
      number: number;
      ulid: string;
      semver: string | null;
      stage: Stage;
      fingerprint: string;
      description: string | null;
      created_at: string;
      created_by: string;
      git_commit: string | null;
      git_branch: string | null;
      aliases: string | null;
      extra: number | string | null;
    }>(
      `SELECT v.id, m.name, v.number, v.ulid, v.semver, v.stage, v.fingerprint, v.description, v.created_at, v.created_by, v.git_commit, v.git_branch,
              (SELECT group_concat(alias, ' ') FROM (SELECT alias FROM aliases a WHERE a.version_id = v.id ORDER BY alias)) AS aliases,
              ${extraColumn} AS extra
         FROM model_versions v JOIN models m ON m.id = v.model_id ${clause}`,
      params,
    );
    const tags = this.versionTags(rows.map((row) => row.id));
    return rows.map((row) => ({
      extra: row.extra,
      version: {
        model: row.name,
        number: row.number,
        id: row.ulid,
        semver: row.semver,
        stage: row.stage,
        aliases: row.aliases ? row.aliases.split(' ') : [],
        fingerprint: row.fingerprint,
        description: row.description,
        tags: tags.get(row.id) ?? userKeyedRecord(),
        createdAt: row.created_at,
        createdBy: row.created_by,
        gitCommit: row.git_commit,
        gitBranch: row.git_branch,
      },
    }));
  }

  private versionTags(versionIds: number[]): Map<number, Record<string, string>> {
    const byVersion = new Map<number, Record<string, string>>();
    for (let start = 0; start < versionIds.length; start += 1000) {
      const ids = versionIds.slice(start, start + 1000);
      const rows = this.db.all<{ version_id: number; key: string; value: string }>(
        `SELECT version_id, key, value FROM version_tags WHERE version_id IN (${ids.map(() => '?').join(',')}) ORDER BY version_id, key`,
        ids,
      );
      groupTags(rows.map((row) => ({ owner: row.version_id, key: row.key, value: row.value })), byVersion);
    }
    return byVersion;
  }

  /** The tombstone of a deleted version, with the reason its deletion gave. */
  private deletedVersion(modelId: number, number: number): { deleted_at: string; deleted_by: string; rule: string; reason: string | null } | undefined {
    return this.db.get<{ deleted_at: string; deleted_by: string; rule: string; reason: string | null }>(
      `SELECT d.deleted_at, d.deleted_by, d.rule,
              (SELECT e.reason FROM events e WHERE e.model_id = d.model_id AND e.version = d.number AND e.type = 'version.deleted' ORDER BY e.seq DESC LIMIT 1) AS reason
         FROM deleted_versions d WHERE d.model_id = ? AND d.number = ?`,
      [modelId, number],
    );
  }

  /** When, by whom and why a model was deleted; undefined when it is not a deleted model. */
  deletedModel(name: string): { time: string; actor: string; reason: string | null } | undefined {
    return this.db.get<{ time: string; actor: string; reason: string | null }>(
      `SELECT e.time, e.actor, e.reason FROM models m JOIN events e ON e.model_id = m.id AND e.type = 'model.deleted'
        WHERE m.name = ? AND m.deleted_at IS NOT NULL ORDER BY e.seq DESC LIMIT 1`,
      [name],
    );
  }

  /**
   * The numbers of a model's versions that were ever in Production: there now, or moved into or out
   * of it by a stage change. One query per model, so deleting a model of thousands of versions asks once.
   */
  versionsEverInProduction(model: string): Set<number> {
    const rows = this.db.all<{ number: number }>(
      `SELECT v.number FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? AND v.stage = 'Production'
       UNION
       SELECT e.version AS number FROM events e JOIN models m ON m.id = e.model_id WHERE m.name = ? AND e.type = 'version.stage_changed'
          AND (json_extract(e.details, '$.to') = 'Production' OR json_extract(e.details, '$.from') = 'Production')`,
      [model, model],
    );
    return new Set(rows.map((row) => Number(row.number)));
  }

  /** A live model's id: a deleted model is not found (unknownModel says when it was deleted). */
  private modelId(name: string): number | undefined {
    return this.db.get<{ id: number }>('SELECT id FROM models WHERE name = ? AND deleted_at IS NULL', [name])?.id;
  }

  private unknownModel(name: string): RegistryError {
    const deleted = this.deletedModel(name);
    if (deleted) {
      return new RegistryError('NOT_FOUND', `Model '${name}' was deleted on ${deleted.time} by ${deleted.actor}: ${deleted.reason ?? 'no reason given'}. Its history remains in: mreg log ${name}`);
    }
    const known = this.db.all<{ name: string }>('SELECT name FROM models WHERE deleted_at IS NULL ORDER BY name LIMIT 6').map((row) => row.name);
    const list = known.length === 0 ? 'The registry has no models yet; register one with: mreg register <model> <file>' : `Known models: ${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''}`;
    return new RegistryError('NOT_FOUND', `No model named '${name}'. ${list}.`);
  }
}

/** Tag rows (ordered by key) gathered into one record per owning model or version. */
function groupTags(rows: { owner: number; key: string; value: string }[], into = new Map<number, Record<string, string>>()): Map<number, Record<string, string>> {
  for (const row of rows) {
    const tags = into.get(row.owner) ?? userKeyedRecord<string>();
    setOwn(tags, row.key, row.value);
    into.set(row.owner, tags);
  }
  return into;
}
