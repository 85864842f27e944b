import { renameSync } from 'node:fs';
import path from 'node:path';
import { ulid } from 'ulid';
import { captureDataLineage } from '../lineage/dataLineage';
import { commitsBetween } from '../lineage/commitHistory';
import { captureGitLineage } from '../lineage/gitLineage';
import { BlobStore } from '../store/blobStore';
import { StatCache } from '../store/statCache';
import { resolveActor } from './actor';
import { collectArtifactFiles } from './artifactFiles';
import { sealEvents, checkEventLink, type EventDraft } from './events';
import { checkIntegrity, type IntegrityReport } from './integrityCheck';
import { MANIFEST_SCHEMA_VERSION, manifestBytes, parseManifest, type Artifact, type DataLineage, type GitLineage, type Manifest, type Metric, type MetricDirection, type ParamValue } from './manifest';
import { mediaTypeOf } from './mediaTypes';
import { migrate } from './migrations';
import type { AuditEvent, ModelVersion, ModelVersionDetails, RegisteredModel, ResolvedVersion } from './modelVersion';
import { assertAliasName, assertKey, assertModelName, normalizeSemver } from './names';
import { OpLog } from './persistence/opLog';
import { SnapshotFiles } from './persistence/snapshotFiles';
import { WriterLock } from './persistence/writerLock';
import { Projection } from './projection';
import { pullVersion, type PullResult } from './pullVersion';
import { formatRef, parseRef, type Ref } from './refs';
import { RegistryFolder } from './registryFolder';
import { RegistryQueries } from './registryQueries';
import { fileRegistrationStatus, type FileRegistrationStatus } from './fileRegistrationStatus';
import { RegistryError, isRegistryError, throwIfCancelled } from './registryError';
import { SqlDatabase } from './sqlDatabase';
import type { Stage } from './stage';
import { compareVersions, type VersionComparison } from './versionComparison';

export interface RegistryOptions {
  /** The registry folder itself (usually `<project>/.modelregistry`). */
  folder: string;
  /** Paths in manifests are recorded relative to this; defaults to the registry folder's parent. */
  projectRoot?: string;
  /** Who acts; defaults to git's user.email for the project, else the OS user. */
  actor?: string;
  /** Long-lived hosts (the extension) write a snapshot this long after the last change. */
  checkpointAfterIdleMs?: number;
}

export interface WorkOptions {
  /** Bytes done of the whole job, its total, and the item being worked on. */
  onProgress?: (done: number, total: number, item: string) => void;
  signal?: AbortSignal;
}

export interface RegisterInput {
  model: string;
  /** Files and folders that make up the version. */
  paths: string[];
  metrics?: Record<string, number>;
  metricDirections?: Record<string, MetricDirection>;
  params?: Record<string, ParamValue>;
  /** Local paths (hashed) or URIs (recorded as given) of the data it was trained on. */
  data?: string[];
  tags?: Record<string, string>;
  semver?: string;
  description?: string;
  stage?: Stage;
  reason?: string;
  /** Code lineage; captured from the project's git repository when left out. */
  git?: GitLineage | null;
  environment?: Record<string, unknown>;
}

export interface Changes {
  description?: string | null;
  /** A null value removes the tag. */
  tags?: Record<string, string | null>;
  reason?: string;
}

/** A database is written out as a snapshot on close when it is this small (cheap) … */
const CHEAP_SNAPSHOT_BYTES = 16 * 1024 * 1024;
/** … or when this many events have piled up since the last snapshot (replay grows). */
const SNAPSHOT_EVERY_EVENTS = 1000;

/** Room left in each snapshot for the writes after it is opened (see SqlDatabase.reserveFreePages). */
const FREE_PAGE_RESERVE = 0.03;

interface Position {
  seq: number;
  hash: string;
  offset: number;
}

/**
 * The registry: one API for the CLI, the Node library and the extension. Reads come from an
 * in-memory sql.js database; every mutation is an event appended and fsync'd to the op log under
 * the writer lock before it is acknowledged, and the database is a snapshot of that log.
 */
export class Registry {
  readonly folder: RegistryFolder;
  readonly projectRoot: string;
  readonly blobs: BlobStore;
  /** Things a person should know about how the registry was opened (a damaged snapshot, say). */
  readonly warnings: string[] = [];

  private readonly opLog: OpLog;
  private readonly snapshots: SnapshotFiles;
  private readonly lock: WriterLock;
  private readonly statCache: StatCache;
  private db!: SqlDatabase;
  private projection!: Projection;
  private queries!: RegistryQueries;
  private position: Position = { seq: 0, hash: '', offset: 0 };
  private actorName: Promise<string> | undefined;
  private readonly listeners = new Set<() => void>();
  private checkpointTimer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(private readonly options: RegistryOptions) {
    this.folder = new RegistryFolder(path.resolve(options.folder));
    this.projectRoot = path.resolve(options.projectRoot ?? path.dirname(this.folder.root));
    this.opLog = new OpLog(this.folder.opLogFile);
    this.snapshots = new SnapshotFiles(this.folder.snapshotsDir);
    this.lock = new WriterLock(this.folder.lockFile);
    this.statCache = new StatCache(this.folder.statCacheDir);
    this.blobs = new BlobStore(this.folder.root, this.statCache);
    if (options.actor) this.actorName = Promise.resolve(options.actor);
  }

  /** Opens (or, on first write, creates) the registry in `options.folder`. */
  static async open(options: RegistryOptions): Promise<Registry> {
    const registry = new Registry(options);
    registry.folder.checkFormat();
    await registry.load();
    return registry;
  }

  // ── reading ────────────────────────────────────────────────────────────────

  models(): RegisteredModel[] {
    this.refresh();
    return this.queries.models();
  }

  model(name: string): RegisteredModel {
    this.refresh();
    return this.queries.model(name);
  }

  /** A model's versions, newest first. */
  versions(model: string): ModelVersion[] {
    this.refresh();
    return this.queries.versions(model);
  }

  versionsInStage(stage: Stage): ModelVersion[] {
    this.refresh();
    return this.queries.versionsInStage(stage);
  }

  /** Versions of any model whose metric lies in [min, max], highest value first. */
  versionsByMetric(metric: string, range: { min?: number; max?: number; limit?: number } = {}): (ModelVersion & { metricValue: number })[] {
    this.refresh();
    return this.queries.versionsByMetric(metric, range);
  }

  version(ref: string | Ref): ModelVersionDetails {
    this.refresh();
    const version = this.queries.find(toRef(ref));
    return { ...version, manifest: this.manifestOf(version) };
  }

  /** What serving code asks for: the exact version and where its verified bytes are. */
  resolve(ref: string | Ref): ResolvedVersion {
    const parsed = toRef(ref);
    const { manifest, ...version } = this.version(parsed);
    return {
      version,
      artifacts: manifest.artifacts.map((artifact) => ({ ...artifact, blobPath: this.blobs.pathOf(artifact.sha256) })),
      pinned: !(parsed.selector.kind === 'latest' && parsed.selector.implicit),
    };
  }

  /** Whether a file on disk is a registered artifact, or was one and has changed since (no hashing). */
  fileStatus(file: string): FileRegistrationStatus | undefined {
    this.refresh();
    return fileRegistrationStatus(file, this.statCache, this.queries);
  }

  log(options: { model?: string; limit?: number } = {}): AuditEvent[] {
    this.refresh();
    return this.queries.events(options);
  }

  // --- Comparing versions -------------------------------------------------------------------

  /** What changed from one version to another, with the commits between them when local git knows both. */
  async compare(before: string | Ref, after: string | Ref): Promise<VersionComparison> {
    const comparison = compareVersions(this.version(before), this.version(after));
    const { git } = comparison.lineage;
    if (git.before && git.after && git.before !== git.after) git.commitsBetween = await commitsBetween(this.projectRoot, git.before, git.after);
    return comparison;
  }

  /** Picks up what other processes (the CLI beside the extension) wrote; true when something changed. */
  refresh(): boolean {
    this.assertOpen();
    const changed = this.catchUp();
    if (changed) this.changed();
    return changed;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  // ── writing ────────────────────────────────────────────────────────────────

  async register(input: RegisterInput, work: WorkOptions = {}): Promise<ModelVersion> {
    assertModelName(input.model);
    const semver = input.semver === undefined ? undefined : normalizeSemver(input.semver);
    const metrics = buildMetrics(input.metrics ?? {}, input.metricDirections ?? {});
    for (const key of Object.keys(input.params ?? {})) assertKey('param', key);
    for (const key of Object.keys(input.tags ?? {})) assertKey('tag', key);
    this.refresh();
    if (semver) this.assertSemverFree(input.model, semver);

    // Git answers while the artifacts are hashed; registration waits on whichever is slower.
    const git = input.git !== undefined ? Promise.resolve(input.git) : captureGitLineage(this.projectRoot);
    const actor = this.actor();
    const files = collectArtifactFiles(input.paths);
    this.blobs.removeLeftovers();
    const total = files.reduce((sum, file) => sum + file.size, 0);
    let done = 0;
    const artifacts: Artifact[] = [];
    for (const file of files) {
      throwIfCancelled(work.signal);
      const blob = await this.blobs.putFile(file.file, {
        signal: work.signal,
        onProgress: (bytes) => work.onProgress?.(done + bytes, total, file.artifactPath),
      });
      done += file.size;
      artifacts.push({ path: file.artifactPath, size: blob.size, sha256: blob.sha256, mediaType: mediaTypeOf(file.file) });
    }
    const data: DataLineage[] = [];
    for (const spec of input.data ?? []) {
      data.push(await captureDataLineage(spec, this.projectRoot, this.statCache, { signal: work.signal }));
    }
    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      artifacts,
      lineage: {
        git: await git,
        data,
        params: input.params ?? {},
        environment: input.environment ?? {},
      },
      metrics,
      source: { inputs: input.paths.map((p) => this.projectRelative(p)) },
    };
    throwIfCancelled(work.signal);
    await actor;
    this.folder.initialize();
    const fingerprint = this.blobs.putBytes(manifestBytes(manifest)).sha256;

    return this.mutate(() => {
      const existing = this.queries.findByFingerprint(input.model, fingerprint);
      if (existing) {
        throw new RegistryError(
          'DUPLICATE',
          `This exact version is already registered as ${formatRef(existing.model, existing.number)} (same artifacts, lineage, params and metrics). Use it, or change something to make a new version.`,
        );
      }
      if (semver) this.assertSemverFree(input.model, semver);
      const drafts: EventDraft[] = [];
      if (!this.queries.hasModel(input.model)) drafts.push({ type: 'model.created', model: input.model, payload: {} });
      const number = this.queries.nextNumber(input.model);
      drafts.push({
        type: 'version.registered',
        model: input.model,
        version: number,
        payload: { id: ulid(), semver, stage: 'None', description: input.description, tags: input.tags ?? {}, fingerprint, manifest },
        reason: input.reason,
      });
      if (input.stage && input.stage !== 'None') drafts.push(...this.planStageChange(input.model, number, 'None', input.stage, input.reason));
      return { drafts, result: () => this.queries.find({ model: input.model, selector: { kind: 'number', number } }) };
    });
  }

  /** Moves a version to a stage; promoting to Production archives the previous Production version. */
  async promote(ref: string | Ref, stage: Stage, options: { reason?: string } = {}): Promise<ModelVersion> {
    return this.mutate(() => {
      const version = this.queries.find(toRef(ref));
      if (version.stage === stage) throw new RegistryError('CONFLICT', `${formatRef(version.model, version.number)} is already in ${stage}.`);
      return {
        drafts: this.planStageChange(version.model, version.number, version.stage, stage, options.reason),
        result: () => this.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }),
      };
    });
  }

  /** Points an alias at a version, moving it from wherever it pointed before. */
  async setAlias(ref: string | Ref, alias: string, options: { reason?: string } = {}): Promise<ModelVersion> {
    assertAliasName(alias);
    return this.mutate(() => {
      const version = this.queries.find(toRef(ref));
      const previous = this.queries.aliasTarget(version.model, alias);
      if (previous === version.number) throw new RegistryError('CONFLICT', `Alias '${alias}' already points at ${formatRef(version.model, version.number)}.`);
      return {
        drafts: [{ type: 'version.alias_set', model: version.model, version: version.number, payload: { alias, previous }, reason: options.reason }],
        result: () => this.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }),
      };
    });
  }

  async removeAlias(model: string, alias: string, options: { reason?: string } = {}): Promise<void> {
    assertModelName(model);
    return this.mutate(() => {
      this.queries.model(model);
      const target = this.queries.aliasTarget(model, alias);
      if (target === undefined) throw new RegistryError('NOT_FOUND', `Model '${model}' has no alias '${alias}'.`);
      return { drafts: [{ type: 'version.alias_removed', model, version: target, payload: { alias }, reason: options.reason }], result: () => undefined };
    });
  }

  async updateModel(name: string, changes: Changes): Promise<RegisteredModel> {
    for (const key of Object.keys(changes.tags ?? {})) assertKey('tag', key);
    return this.mutate(() => {
      this.queries.model(name);
      return {
        drafts: [{ type: 'model.updated', model: name, payload: { description: changes.description, tags: changes.tags }, reason: changes.reason }],
        result: () => this.queries.model(name),
      };
    });
  }

  async updateVersion(ref: string | Ref, changes: Changes): Promise<ModelVersion> {
    for (const key of Object.keys(changes.tags ?? {})) assertKey('tag', key);
    return this.mutate(() => {
      const version = this.queries.find(toRef(ref));
      return {
        drafts: [{ type: 'version.updated', model: version.model, version: version.number, payload: { description: changes.description, tags: changes.tags }, reason: changes.reason }],
        result: () => this.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }),
      };
    });
  }

  // ── artifacts and integrity ───────────────────────────────────────────────

  /** Copies a version's artifacts into `toDir` under their relative paths, verifying every byte. */
  async pull(ref: string | Ref, toDir: string, options: WorkOptions & { force?: boolean } = {}): Promise<PullResult> {
    const resolved = this.resolve(ref);
    return pullVersion(resolved, toDir, options);
  }

  /** Re-hashes every blob and checks the event chain; lists each problem found. */
  async verify(work: WorkOptions = {}): Promise<IntegrityReport> {
    this.refresh();
    return checkIntegrity({ opLog: this.opLog, blobs: this.blobs, queries: this.queries, head: this.position }, work);
  }

  // ── persistence ────────────────────────────────────────────────────────────

  /** Creates the registry folder (with its .gitignore) now rather than on the first write. */
  initialize(): boolean {
    const existed = this.folder.exists();
    this.folder.initialize();
    return !existed;
  }

  /** Writes the database out as a snapshot, so the next open replays less of the log. */
  checkpoint(): void {
    this.assertOpen();
    if (this.position.seq <= this.snapshots.newestSeq()) return;
    this.db.reserveFreePages(Math.max(1024 * 1024, Math.round(this.db.sizeInBytes() * FREE_PAGE_RESERVE)));
    this.snapshots.write(this.db.export(), this.position.seq);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.checkpointTimer);
    try {
      const behind = this.position.seq - this.snapshots.newestSeq();
      if (behind > 0 && (behind >= SNAPSHOT_EVERY_EVENTS || this.db.sizeInBytes() <= CHEAP_SNAPSHOT_BYTES)) this.checkpoint();
    } catch {
      // A snapshot only saves replay time; a read-only folder is no reason to fail closing.
    }
    this.closed = true;
    this.listeners.clear();
    this.db.close();
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private async load(): Promise<void> {
    const snapshot = this.snapshots.readNewestIntact((file) => this.setAsideDamagedSnapshot(file));
    try {
      await this.openDatabase(snapshot?.data);
      this.catchUp();
    } catch (error) {
      if (!snapshot || !isRegistryError(error, 'CORRUPT')) throw error;
      // The snapshot and the op log disagree; the log is the truth, so rebuild from it alone.
      this.db.close();
      this.warnings.push(`The database snapshot did not match the op log (${error.message}); the registry was rebuilt from the op log.`);
      await this.openDatabase(undefined);
      this.catchUp();
    }
  }

  private async openDatabase(data: Buffer | undefined): Promise<void> {
    try {
      this.db = await SqlDatabase.open(data);
      this.db.exec('PRAGMA foreign_keys = ON');
      migrate(this.db);
    } catch (error) {
      if (isRegistryError(error)) throw error;
      throw new RegistryError('CORRUPT', `The database snapshot cannot be read: ${(error as Error).message}`);
    }
    this.projection = new Projection(this.db);
    this.queries = new RegistryQueries(this.db);
    this.position = this.projection.position();
  }

  private setAsideDamagedSnapshot(file: string): void {
    this.warnings.push(`The snapshot ${path.basename(file)} is damaged (its bytes no longer match its checksum); it was set aside and the registry rebuilt from the op log.`);
    try {
      renameSync(file, `${file}.damaged`);
    } catch {
      // another process set it aside already
    }
  }

  /** Applies op-log lines that this process has not seen yet; true when there were any. */
  private catchUp(): boolean {
    const size = this.opLog.size();
    if (size === this.position.offset) return false;
    if (size < this.position.offset) {
      throw new RegistryError(
        'CORRUPT',
        `The op log ${this.opLog.file} is shorter (${size} bytes) than what the registry already read (${this.position.offset} bytes): it was truncated or replaced. Restore it from a backup or the shared store.`,
      );
    }
    let position = this.position;
    try {
      this.db.transaction(() => {
        for (const line of this.opLog.linesAfter(position.offset)) {
          let link = { seq: position.seq, hash: position.hash };
          for (const event of line.events) {
            checkEventLink(event, link);
            link = { seq: event.seq, hash: event.hash };
          }
          this.projection.applyBatch(line.events, line.endOffset);
          position = { ...link, offset: line.endOffset };
        }
      });
    } catch (error) {
      this.projection.forgetCachedKeys();
      throw error;
    }
    const changed = position.offset !== this.position.offset;
    this.position = position;
    return changed;
  }

  /**
   * Every mutation: under the writer lock, catch up with other writers, decide (throwing leaves
   * everything as it was), then apply to the database and append + fsync to the op log inside one
   * synchronous transaction, so no other code runs in between. A failed append rolls the database
   * back; a returned value means the events are durable.
   */
  private async mutate<T>(plan: () => { drafts: EventDraft[]; result: () => T }): Promise<T> {
    this.assertOpen();
    const actor = await this.actor();
    this.folder.initialize();
    return this.lock.withLock(() => {
      this.catchUp();
      const { drafts, result } = plan();
      const events = sealEvents(drafts, this.position, actor);
      const last = events[events.length - 1];
      const line = OpLog.encode(events);
      const offset = this.position.offset + line.length;
      try {
        this.db.transaction(() => {
          // The database checks the events first; only then do they become durable.
          this.projection.applyBatch(events, offset);
          this.opLog.append(line, this.position.offset);
        });
      } catch (error) {
        this.projection.forgetCachedKeys();
        throw error;
      }
      this.position = { seq: last.seq, hash: last.hash, offset };
      const value = result();
      this.changed();
      return value;
    });
  }

  /** Resolved once per registry, on first need. */
  private actor(): Promise<string> {
    this.actorName ??= resolveActor(this.projectRoot);
    return this.actorName;
  }

  private planStageChange(model: string, number: number, from: Stage, to: Stage, reason: string | undefined): EventDraft[] {
    const drafts: EventDraft[] = [];
    if (to === 'Production') {
      for (const current of this.queries.versionsInStage('Production', model)) {
        if (current.number === number) continue;
        drafts.push({
          type: 'version.stage_changed',
          model,
          version: current.number,
          payload: { from: 'Production', to: 'Archived', supersededBy: number },
          reason: `superseded by ${formatRef(model, number)}`,
        });
      }
    }
    drafts.push({ type: 'version.stage_changed', model, version: number, payload: { from, to }, reason });
    return drafts;
  }

  private assertSemverFree(model: string, semver: string): void {
    const holder = this.queries.findBySemver(model, semver);
    if (holder) throw new RegistryError('DUPLICATE', `Semver label ${semver} is already taken by ${formatRef(model, holder.number)}; labels are unique per model.`);
  }

  private manifestOf(version: ModelVersion): Manifest {
    const where = `of ${formatRef(version.model, version.number)}`;
    return parseManifest(JSON.parse(this.blobs.readBytes(version.fingerprint).toString('utf8')) as unknown, where);
  }

  private projectRelative(file: string): string {
    return path.relative(this.projectRoot, path.resolve(file)).split(path.sep).join('/') || '.';
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
    if (this.options.checkpointAfterIdleMs !== undefined) {
      clearTimeout(this.checkpointTimer);
      this.checkpointTimer = setTimeout(() => {
        try {
          if (!this.closed) this.checkpoint();
        } catch {
          // retried after the next change, and on close
        }
      }, this.options.checkpointAfterIdleMs);
      this.checkpointTimer.unref();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RegistryError('IO', 'This registry has been closed.');
  }
}

function toRef(ref: string | Ref): Ref {
  return typeof ref === 'string' ? parseRef(ref) : ref;
}

function buildMetrics(values: Record<string, number>, directions: Record<string, MetricDirection>): Record<string, Metric> {
  const metrics: Record<string, Metric> = {};
  for (const [key, value] of Object.entries(values)) {
    assertKey('metric', key);
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new RegistryError('INVALID_INPUT', `Metric '${key}' must be a finite number, not '${String(value)}'.`);
    metrics[key] = directions[key] ? { value, direction: directions[key] } : { value };
  }
  for (const [key, direction] of Object.entries(directions)) {
    if (!(key in values)) throw new RegistryError('INVALID_INPUT', `A direction is given for metric '${key}', but no value; add --metric ${key}=<value>.`);
    if (direction !== 'max' && direction !== 'min') throw new RegistryError('INVALID_INPUT', `Metric direction for '${key}' must be 'max' (higher is better) or 'min' (lower is better).`);
  }
  return metrics;
}

