import { randomBytes } from 'node:crypto';
import { linkSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ulid } from 'ulid';
import { captureLineage, type CaptureOptions, type CapturedLineage } from '../lineage/captureLineage';
import { captureDataLineage } from '../lineage/dataLineage';
import { assertCleanTree, captureGitLineage } from '../lineage/gitLineage';
import { projectRelative } from '../lineage/projectFiles';
import { inspectArtifactFiles, versionSignature } from '../formats/inspectArtifact';
import type { Inspection } from '../formats/inspection';
import type { HashOptions } from '../store/fileHashing';
import { commitsBetween } from '../lineage/commitHistory';
import { BlobStore } from '../store/blobStore';
import { StatCache } from '../store/statCache';
import { resolveActor } from './actor';
import { collectArtifactFiles } from './artifactFiles';
import { sealEvents, checkEventLink, type EventDraft, type RegistryEvent } from './events';
import { APPROVAL_EVENT_TYPES, approvalRequestsFromEvents, type ApprovalRequest } from './governance/approvals';
import { loadPolicy, rulesFor, type Policy, type Webhook } from './governance/policy';
import { deliverWebhooks } from './governance/webhooks';
import { evaluateGates, GateFailedError, type GateEvaluation, type GateInput } from './governance/promotionGates';
import { checkIntegrity, type IntegrityReport } from './integrityCheck';
import { MANIFEST_SCHEMA_VERSION, manifestBytes, parseManifest, type Artifact, type DataLineage, type GitLineage, type Manifest, type Metric, type MetricDirection, type ParamValue } from './manifest';
import { mediaTypeOf } from './mediaTypes';
import { metricHistory, type MetricHistory } from './metricHistory';
import { migrate } from './migrations';
import type { AuditEvent, ModelVersion, ModelVersionDetails, RegisteredModel, ResolvedVersion } from './modelVersion';
import { assertAliasName, assertKey, assertModelName, normalizeSemver } from './names';
import { OpLog, type OpLogLine } from './persistence/opLog';
import { SnapshotFiles } from './persistence/snapshotFiles';
import { WriterLock } from './persistence/writerLock';
import { Projection } from './projection';
import { pullVersion, type PullResult } from './pullVersion';
import { formatRef, parseRef, type Ref } from './refs';
import { RegistryFolder } from './registryFolder';
import { RegistryQueries } from './registryQueries';
import { fileRegistrationStatus, type FileRegistrationStatus } from './fileRegistrationStatus';
import { RegistryError, isRegistryError, throwIfCancelled } from './registryError';
import { BlobsRemovedError, liveBlobs, marksFileOf, planRetention, sweepBlobs, type GcReport, type RetentionDeletion } from './retention/garbageCollection';
import { checkRetentionPolicy, loadRetentionPolicy, type RetentionPolicy } from './retention/retentionPolicy';
import { compileQuery } from './search/queryCompiler';
import { completeQuery, type QueryCompletion } from './search/queryCompletion';
import { parseQuery, QueryError } from './search/queryParser';
import { queryVocabulary, searchVersions, type QueryVocabulary, type SearchHit, type SearchOptions } from './search/versionSearch';
import { SqlDatabase } from './sqlDatabase';
import type { Stage } from './stage';
import { previousProductionVersion, stageChanges, versionsInStageAt, type StageAtTime, type StageChange } from './stageHistory';
import { compareColumns, compareVersions, MAX_COLUMNS, type VersionColumns, type VersionComparison } from './versionComparison';

export interface RegistryOptions {
  /** The registry folder itself (usually `<project>/.modelregistry`). */
  folder: string;
  /** Paths in manifests are recorded relative to this; defaults to the registry folder's parent. */
  projectRoot?: string;
  /** Who acts; defaults to git's user.email for the project, else the OS user. */
  actor?: string;
  /** Long-lived hosts (the extension) write a snapshot this long after the last change. */
  checkpointAfterIdleMs?: number;
  /** Where non-fatal problems go (a failed webhook); default: stderr. */
  onWarning?: (message: string) => void;
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
  /**
   * The data it was trained on: local paths (hashed), URIs (recorded as given), DVC files (read),
   * or entries captured already (`captureLineage`).
   */
  data?: (string | DataLineage)[];
  tags?: Record<string, string>;
  semver?: string;
  description?: string;
  stage?: Stage;
  reason?: string;
  /** Code lineage; captured from the project's git repository when left out. */
  git?: GitLineage | null;
  environment?: Record<string, unknown>;
  /** Refuse to register from a working tree with uncommitted changes (the error lists them). */
  requireClean?: boolean;
  /** The files params and metrics were read from, recorded in the manifest's `source`. */
  sources?: CapturedLineage['sources'];
  /**
   * Read each weight file's format, parameters, signature and security findings into the manifest
   * (default true). A corrupt or truncated weight file is still registered, its inspection
   * recording the problem in `error`; false records size and hash only.
   */
  inspect?: boolean;
}

export interface PromoteOptions {
  reason?: string;
  /** Bypass failing gates where the policy allows it; needs a reason and is logged as an override. */
  override?: boolean;
  /** Called with the gates' evaluation when the policy guards the move. */
  onGates?: (evaluation: GateEvaluation) => void;
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
  /** The op log file this process has read; another one in its place was rewritten by sync. */
  private logInode: number | undefined;
  private actorName: Promise<string> | undefined;
  private readonly listeners = new Set<() => void>();
  private checkpointTimer: NodeJS.Timeout | undefined;
  private vocabulary: { seq: number; words: QueryVocabulary } | undefined;
  private closed = false;
  private readonly deliveries = new Set<Promise<void>>();

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

  /** How many models and versions, without listing them. */
  counts(): { models: number; versions: number } {
    this.refresh();
    return this.queries.counts();
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

  // --- Metric history and columns of versions ----------------------------------------------

  /** A model's metrics across all its versions, with the versions whose stage changed marked (the metrics chart). */
  metricHistory(model: string): MetricHistory {
    this.model(model);
    const versions = this.queries.versions(model).map((version) => ({ ...version, manifest: this.manifestOf(version) }));
    return metricHistory(model, versions, this.stageChangesOf(model));
  }

  /** Two to five versions side by side, in the order given (the columns page, `mreg diff a b c`). */
  compareColumns(refs: readonly (string | Ref)[]): VersionColumns {
    if (refs.length < 2 || refs.length > MAX_COLUMNS) throw new RegistryError('INVALID_INPUT', `Columns compare 2 to ${MAX_COLUMNS} versions; ${refs.length} were given. Name between 2 and ${MAX_COLUMNS} versions.`);
    const versions = refs.map((ref) => this.version(ref));
    const seen = new Set<string>();
    for (const version of versions) {
      const ref = formatRef(version.model, version.number);
      if (seen.has(ref)) throw new RegistryError('INVALID_INPUT', `${ref} is named twice; name each version once.`);
      seen.add(ref);
    }
    return compareColumns(versions);
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

  // ── search ─────────────────────────────────────────────────────────────────

  /** Versions matching a query such as `name LIKE 'fraud%' AND metrics.accuracy > 0.85` (README: Search). */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    this.refresh();
    return searchVersions(this.db, this.queries, query, options);
  }

  /**
   * The QueryError a query would raise (with its offsets), or undefined when it is valid; runs no
   * search, and shares completion's vocabulary (gathered once per registry change).
   */
  validateQuery(query: string): QueryError | undefined {
    this.refresh();
    try {
      compileQuery(query, parseQuery(query, this.queryVocabulary()));
      return undefined;
    } catch (error) {
      if (error instanceof QueryError) return error;
      throw error;
    }
  }

  /** Completion for a query being typed (fields, operators, known values) at `cursor`. */
  completeQuery(query: string, cursor: number): QueryCompletion {
    this.refresh();
    return completeQuery(query, cursor, this.queryVocabulary());
  }

  /**
   * Field names and known values for queries. Gathering them scans the versions; keystrokes
   * (validation, completion) reuse them until the registry changes.
   */
  private queryVocabulary(): QueryVocabulary {
    if (this.vocabulary?.seq !== this.position.seq) this.vocabulary = { seq: this.position.seq, words: queryVocabulary(this.db) };
    return this.vocabulary.words;
  }

  // ── retention ──────────────────────────────────────────────────────────────

  /**
   * Applies the retention policy (policy.yaml's `retention:`, overridden by `options.policy`):
   * deletes versions with a tombstone event each, then marks blobs no live version refers to and
   * removes those marked at least the grace period ago. A dry run changes nothing.
   */
  async gc(options: { dryRun?: boolean; now?: Date; policy?: Partial<RetentionPolicy> } = {}): Promise<GcReport> {
    const now = options.now ?? new Date();
    const overrides = Object.fromEntries(Object.entries(options.policy ?? {}).filter(([, value]) => value !== undefined));
    checkRetentionPolicy(overrides, 'the gc options');
    const policy: RetentionPolicy = { ...loadRetentionPolicy(this.folder.root), ...overrides };
    const marksFile = marksFileOf(this.folder.root);
    if (options.dryRun) {
      this.refresh();
      const deleted = planRetention(this.db, policy, now);
      const live = liveBlobs(this.db, new Set(deleted.map((version) => formatRef(version.model, version.number))));
      return { dryRun: true, policy, deleted, ...sweepBlobs(this.blobs, live, marksFile, policy, now, true) };
    }
    let deleted: RetentionDeletion[] = [];
    await this.mutate(() => {
      deleted = planRetention(this.db, policy, now);
      return {
        drafts: deleted.map((version): EventDraft => ({
          type: 'version.deleted',
          model: version.model,
          version: version.number,
          payload: { rule: version.rule, fingerprint: version.fingerprint },
          reason: `retention: ${version.rule}`,
        })),
        result: () => undefined,
      };
    });
    // The shared store has its own gc (src/sync/storeGarbageCollection.ts), run by `mreg gc` after this.
    const blobs = await this.lock.withLock(() => {
      this.refresh();
      return sweepBlobs(this.blobs, liveBlobs(this.db), marksFile, policy, now, false);
    });
    return { dryRun: false, policy, deleted, ...blobs };
  }

  /** Every blob a live version needs, pushed or pending, leaving out versions in `except` ('model/number'). */
  liveBlobs(except: ReadonlySet<string> = new Set()): Set<string> {
    this.refresh();
    return liveBlobs(this.db, except);
  }

  // ── writing ────────────────────────────────────────────────────────────────

  async register(input: RegisterInput, work: WorkOptions = {}): Promise<ModelVersion> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.registerOnce(input, work);
      } catch (error) {
        // A concurrent gc removed a blob this version reuses: storing again puts it back.
        if (!(error instanceof BlobsRemovedError) || attempt >= 3) throw error;
      }
    }
  }

  private async registerOnce(input: RegisterInput, work: WorkOptions): Promise<ModelVersion> {
    const semver = this.checkRegisterInput(input);
    const actor = this.actor();
    this.blobs.removeLeftovers();
    const manifest = await this.buildManifest(input, work, true);
    throwIfCancelled(work.signal);
    await actor;
    this.folder.initialize();
    const fingerprint = this.blobs.putBytes(manifestBytes(manifest)).sha256;

    return this.mutate(() => {
      const missing = [fingerprint, ...manifest.artifacts.map((artifact) => artifact.sha256)].filter((sha256) => !this.blobs.has(sha256));
      if (missing.length > 0) throw new BlobsRemovedError(missing);
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

  /**
   * Checks what can be checked before any hashing (names, keys, semver free, no policy-guarded
   * stage); returns the normalized semver label. Register runs it first; a caller that captures
   * lineage before registering runs it before that too.
   */
  checkRegisterInput(input: RegisterInput): string | undefined {
    assertModelName(input.model);
    const semver = input.semver === undefined ? undefined : normalizeSemver(input.semver);
    buildMetrics(input.metrics ?? {}, input.metricDirections ?? {});
    for (const key of Object.keys(input.params ?? {})) assertKey('param', key);
    for (const key of Object.keys(input.tags ?? {})) assertKey('tag', key);
    this.refresh();
    if (semver) this.assertSemverFree(input.model, semver);
    if (input.stage && rulesFor(this.policy(), input.model, input.stage).length > 0) {
      throw new RegistryError('GATE_FAILED', `The policy guards moving ${input.model} into ${input.stage}, so it cannot be registered straight into it. Register without --stage, then: mreg promote ${input.model}/<number> ${input.stage.toLowerCase()}`);
    }
    return semver;
  }

  /** The manifest of a registration; `store` puts the artifacts in the blob store, else they are only hashed. */
  private async buildManifest(input: RegisterInput, work: WorkOptions, store: boolean): Promise<Manifest> {
    // Git answers while the artifacts are hashed; registration waits on whichever is slower.
    const git = input.git !== undefined ? Promise.resolve(input.git) : captureGitLineage(this.projectRoot, { ignore: [this.folder.root] });
    if (input.requireClean) assertCleanTree(await git);
    git.catch(() => undefined);
    const files = collectArtifactFiles(input.paths);
    // Headers only, and before hashing: a truncated weight file fails in milliseconds, not after
    // gigabytes were copied into the store.
    const inspections = input.inspect === false ? new Map<string, Inspection>() : await inspectArtifactFiles(files, work.signal);
    const total = files.reduce((sum, file) => sum + file.size, 0);
    let done = 0;
    const artifacts: Artifact[] = [];
    for (const file of files) {
      throwIfCancelled(work.signal);
      const hashOptions = { signal: work.signal, onProgress: (bytes: number) => work.onProgress?.(done + bytes, total, file.artifactPath) };
      const blob = store ? await this.blobs.putFile(file.file, hashOptions) : await this.statCache.hash(file.file, { ...hashOptions, remember: false });
      done += file.size;
      const inspection = inspections.get(file.artifactPath);
      artifacts.push({ path: file.artifactPath, size: blob.size, sha256: blob.sha256, mediaType: mediaTypeOf(file.file), ...(inspection ? { inspection } : {}) });
    }
    const signature = versionSignature(inspections.values());
    const hasher = { hash: (file: string, options: HashOptions = {}) => this.statCache.hash(file, { ...options, remember: store }) };
    const data: DataLineage[] = [];
    for (const spec of input.data ?? []) {
      if (typeof spec === 'string') data.push(...(await captureDataLineage(spec, this.projectRoot, hasher, { signal: work.signal })));
      else data.push(spec);
    }
    const source: Manifest['source'] = { inputs: input.paths.map((p) => this.projectRelative(p)) };
    if (input.sources?.params) source.params = input.sources.params;
    if (input.sources?.metrics) source.metrics = input.sources.metrics;
    const manifest: Manifest = {
      schemaVersion: MANIFEST_SCHEMA_VERSION,
      artifacts,
      lineage: {
        git: await git,
        data,
        params: input.params ?? {},
        environment: input.environment ?? {},
      },
      metrics: buildMetrics(input.metrics ?? {}, input.metricDirections ?? {}),
      ...(signature ? { signature } : {}),
      source,
    };
    throwIfCancelled(work.signal);
    return manifest;
  }

  // ── Production history and rollback ─────────────────────────────────────────

  /** A model's stage changes, oldest first; with `asOf`, also which versions held the stage then. */
  stageHistory(model: string, options: { stage?: Stage; asOf?: Date } = {}): { changes: StageChange[]; asOf?: StageAtTime } {
    this.refresh();
    const all = this.stageChangesOf(model);
    const changes = options.stage === undefined ? all : all.filter((change) => change.from === options.stage || change.to === options.stage);
    return { changes, asOf: options.asOf === undefined ? undefined : versionsInStageAt(all, options.stage ?? 'Production', options.asOf) };
  }

  /** What a rollback of the model's Production would do, or an error saying why it cannot. */
  rollbackPlan(model: string): { current: ModelVersion; target: ModelVersion } {
    this.refresh();
    return this.planRollback(model);
  }

  /** Returns Production to the version that held it before the current one, in one step. */
  async rollback(model: string, options: { reason: string }): Promise<{ current: ModelVersion; target: ModelVersion }> {
    if (!options.reason.trim()) throw new RegistryError('INVALID_INPUT', 'A rollback needs a reason, for the audit log: say why Production goes back (e.g. --reason "latency regression").');
    return this.mutate(() => {
      const { current, target } = this.planRollback(model);
      const because = `rollback from ${formatRef(model, current.number)}: ${options.reason}`;
      const drafts: EventDraft[] = [
        { type: 'version.stage_changed', model, version: current.number, payload: { from: 'Production', to: 'Archived', supersededBy: target.number, rollback: true }, reason: because },
        { type: 'version.stage_changed', model, version: target.number, payload: { from: target.stage, to: 'Production', rollback: true }, reason: because },
      ];
      const find = (number: number) => this.queries.find({ model, selector: { kind: 'number', number } });
      return { drafts, result: () => ({ current: find(current.number), target: find(target.number) }) };
    });
  }

  private stageChangesOf(model: string): StageChange[] {
    return stageChanges(this.queries.events({ model, type: 'version.stage_changed' }));
  }

  private planRollback(model: string): { current: ModelVersion; target: ModelVersion } {
    const inProduction = this.queries.versionsInStage('Production', model);
    if (inProduction.length === 0) throw new RegistryError('CONFLICT', `${model} has no version in Production, so there is nothing to roll back. Promote a version instead: mreg promote ${model}/<number> production`);
    const current = inProduction[0];
    const numbers = new Set(this.queries.versions(model).map((version) => version.number));
    const previous = previousProductionVersion(this.stageChangesOf(model), current.number, (number) => numbers.has(number));
    if (previous === undefined) throw new RegistryError('CONFLICT', `${formatRef(model, current.number)} is the first version of ${model} ever in Production: there is no earlier Production version to return to. Promote another version instead.`);
    return { current, target: this.queries.find({ model, selector: { kind: 'number', number: previous } }) };
  }

  /**
   * Moves a version to a stage; promoting to Production archives the previous Production version.
   * When the project's policy guards the move, its gates are evaluated under the writer lock and a
   * failure throws GateFailedError (nothing changes) unless `override` is given with a reason and
   * the policy allows it. `onGates` sees the evaluation that was recorded with the event.
   */
  async promote(ref: string | Ref, stage: Stage, options: PromoteOptions = {}): Promise<ModelVersion> {
    if (options.override && !options.reason?.trim()) throw new RegistryError('INVALID_INPUT', 'An override needs a reason, for the audit log: --override --reason "<why the gates are bypassed>".');
    const policy = this.policy();
    return this.mutate(() => {
      const version = this.queries.find(toRef(ref));
      if (version.stage === stage) throw new RegistryError('CONFLICT', `${formatRef(version.model, version.number)} is already in ${stage}.`);
      const drafts = this.planStageChange(version.model, version.number, version.stage, stage, options.reason);
      const rules = rulesFor(policy, version.model, stage);
      if (rules.length > 0) {
        const evaluation = evaluateGates(this.gateInput(version, stage, policy), rules);
        if (!evaluation.passed && !(options.override && evaluation.overridable)) throw new GateFailedError(evaluation, options.override === true);
        const own = drafts[drafts.length - 1];
        if (own.type === 'version.stage_changed') {
          own.payload.gates = {
            passed: evaluation.passed,
            ...(evaluation.passed ? {} : { overridden: true as const }),
            results: evaluation.results.map(({ kind, rule, passed, detail }) => ({ kind, rule, passed, detail })),
            approvalRequests: evaluation.approvalRequests,
          };
        }
        options.onGates?.(evaluation);
      }
      return { drafts, result: () => this.queries.find({ model: version.model, selector: { kind: 'number', number: version.number } }) };
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

  // ── lineage capture ───────────────────────────────────────────────────────

  /**
   * What a registration from this project would record about how the model was made (git, data,
   * params, metrics, environment); see `captureLineage`. Local data is hashed through the registry's
   * stat cache, which a dry run only reads. Pass the result on to `register` with `withCapturedLineage`.
   */
  captureLineage(options: Omit<CaptureOptions, 'hasher' | 'ignore'> & { dryRun?: boolean } = {}): Promise<CapturedLineage> {
    const remember = !options.dryRun;
    return captureLineage(this.projectRoot, {
      ...options,
      hasher: { hash: (file, hashOptions = {}) => this.statCache.hash(file, { ...hashOptions, remember }) },
      ignore: [this.folder.root],
    });
  }

  /** The manifest `register` would write for this input, computed without writing anything. */
  async previewManifest(input: RegisterInput, work: WorkOptions = {}): Promise<Manifest> {
    this.checkRegisterInput(input);
    return parseManifest(await this.buildManifest(input, work, false), 'that would be registered');
  }

  // ── governance: policy, promotion gates, approvals ─────────────────────────

  /** The project's policy (`policy.yaml` in the registry folder); empty when there is none. */
  policy(): Policy {
    return loadPolicy(this.folder.root);
  }

  /** What the policy's gates say about moving `ref` into `stage` now, without changing anything. */
  promotionGates(ref: string | Ref, stage: Stage, policy: Policy = this.policy()): GateEvaluation {
    this.refresh();
    const version = this.queries.find(toRef(ref));
    return evaluateGates(this.gateInput(version, stage, policy), rulesFor(policy, version.model, stage));
  }

  /** Approval requests, oldest first; `pending` keeps those still waiting for approvals. */
  approvalRequests(options: { model?: string; pending?: boolean } = {}): ApprovalRequest[] {
    this.refresh();
    const requests = this.readApprovalRequests(this.policy(), options.model);
    return options.pending ? requests.filter((request) => request.status === 'pending') : requests;
  }

  /** Asks reviewers to approve moving a version into a stage. */
  async requestApproval(ref: string | Ref, stage: Stage, options: { reason?: string } = {}): Promise<ApprovalRequest> {
    const policy = this.policy();
    const id = randomBytes(4).toString('hex');
    return this.mutate(() => {
      const version = this.queries.find(toRef(ref));
      if (version.stage === stage) throw new RegistryError('CONFLICT', `${formatRef(version.model, version.number)} is already in ${stage}; there is nothing to approve.`);
      const open = this.readApprovalRequests(policy, version.model).find(
        (request) => request.version === version.number && request.stage === stage && (request.status === 'pending' || request.status === 'approved'),
      );
      if (open) throw new RegistryError('DUPLICATE', `Request ${open.id} already asks to move ${formatRef(version.model, version.number)} to ${stage} (${open.status}); approve it with: mreg approve ${open.id}`);
      return {
        drafts: [{ type: 'approval.requested', model: version.model, version: version.number, payload: { id, stage }, reason: options.reason }],
        result: () => this.findApprovalRequest(policy, id),
      };
    });
  }

  /** Approves a request; the approver may not be the version's registrant, and approves once. */
  async approve(id: string, options: { reason?: string } = {}): Promise<ApprovalRequest> {
    return this.decide(id, 'approval.approved', options.reason);
  }

  /** Rejects a request, with a reason; a rejected request counts no approvals. */
  async reject(id: string, options: { reason: string }): Promise<ApprovalRequest> {
    if (!options.reason?.trim()) throw new RegistryError('INVALID_INPUT', 'A rejection needs a reason, so the requester knows what to change: --reason "<why>".');
    return this.decide(id, 'approval.rejected', options.reason);
  }

  /** Webhooks run after the events are durable; close() waits for them, and failures only warn. */
  private notifyWebhooks(events: RegistryEvent[]): void {
    const warn = this.options.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
    let hooks: Webhook[];
    try {
      hooks = this.policy().webhooks ?? [];
    } catch (error) {
      warn(`webhooks not run: ${(error as Error).message}`);
      return;
    }
    if (hooks.length === 0) return;
    const delivery = deliverWebhooks(hooks, events, warn).finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private async decide(id: string, type: 'approval.approved' | 'approval.rejected', reason: string | undefined): Promise<ApprovalRequest> {
    const actor = await this.actor();
    const policy = this.policy();
    return this.mutate(() => {
      const request = this.findApprovalRequest(policy, id);
      if (request.status === 'rejected' || request.status === 'completed') throw new RegistryError('CONFLICT', `Request ${id} is ${request.status}; file a new one with: mreg request ${request.model}/${request.version} ${request.stage}`);
      const version = this.queries.find({ model: request.model, selector: { kind: 'number', number: request.version } });
      if (type === 'approval.approved' && actor === version.createdBy) {
        throw new RegistryError('CONFLICT', `${actor} registered ${formatRef(request.model, request.version)} and so cannot approve it; someone else must (set MREG_ACTOR or git user.email to who is acting).`);
      }
      if ([...request.approvals, ...request.rejections].some((decision) => decision.actor === actor)) throw new RegistryError('DUPLICATE', `${actor} has already reviewed request ${id}.`);
      return { drafts: [{ type, model: request.model, version: request.version, payload: { id }, reason }], result: () => this.findApprovalRequest(policy, id) };
    });
  }

  private findApprovalRequest(policy: Policy, id: string): ApprovalRequest {
    const request = this.readApprovalRequests(policy).find((candidate) => candidate.id === id);
    if (!request) throw new RegistryError('NOT_FOUND', `No approval request '${id}'. List them with: mreg requests`);
    return request;
  }

  private readApprovalRequests(policy: Policy, model?: string): ApprovalRequest[] {
    const events = APPROVAL_EVENT_TYPES.flatMap((type) => this.queries.events({ model, type }));
    return approvalRequestsFromEvents(events, (name, stage) => Math.max(0, ...rulesFor(policy, name, stage).map((rule) => rule.approvals ?? 0)));
  }

  /** What gate evaluation needs, read from the database as it is now (callers hold the lock or have refreshed). */
  private gateInput(version: ModelVersion, stage: Stage, policy: Policy): GateInput {
    const production = this.queries.versionsInStage('Production', version.model).find((candidate) => candidate.number !== version.number);
    const requests = this.readApprovalRequests(policy, version.model).filter(
      (request) => request.version === version.number && request.stage === stage && (request.status === 'pending' || request.status === 'approved'),
    );
    return {
      candidate: { ...version, manifest: this.manifestOf(version) },
      stage,
      production: production && { ...production, manifest: this.manifestOf(production) },
      requests,
    };
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
    // A log rewritten by sync since the last read would otherwise be snapshotted from stale rows.
    this.catchUp();
    if (this.position.seq <= this.snapshots.newestSeq()) return;
    this.db.reserveFreePages(Math.max(1024 * 1024, Math.round(this.db.sizeInBytes() * FREE_PAGE_RESERVE)));
    this.snapshots.write(this.db.export(), this.position.seq);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.deliveries);
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

  // ── sync: the op log as the shared store sees it ─────────────────────────

  /** The op log's complete lines after `offset`. */
  logLinesAfter(offset: number): OpLogLine[] {
    this.assertOpen();
    return [...this.opLog.linesAfter(offset)];
  }

  /**
   * Under the writer lock, replaces the op log after `base` (the end of a line) with the lines
   * `plan` makes of what is there now. Nothing after `base` is appended in place; anything else
   * rewrites the log's tail (see OpLog.rewriteFrom), drops snapshots that contain the old tail and
   * reloads. Returns the offset just past each new line. Throws CONFLICT when the log no longer
   * holds `base`, and leaves the log as it was when the new lines do not apply.
   */
  async replaceLogTail(base: Position, plan: (tail: OpLogLine[]) => RegistryEvent[][]): Promise<number[]> {
    this.assertOpen();
    this.folder.initialize();
    return this.lock.withLock(() => {
      this.catchUp();
      const tail = [...this.opLog.linesAfter(base.offset)];
      const first = tail[0]?.events[0];
      const holdsBase = first ? first.seq === base.seq + 1 && first.prev === base.hash : this.position.offset === base.offset && this.position.hash === base.hash;
      if (!holdsBase) {
        throw new RegistryError('CONFLICT', `The op log no longer ends with event #${base.seq} at byte ${base.offset} where the last sync left it; it was changed outside Model Registry. Run 'mreg verify'.`);
      }
      const lines = plan(tail).filter((events) => events.length > 0);
      const encoded = lines.map((events) => OpLog.encode(events));
      const ends: number[] = [];
      let end = base.offset;
      for (const line of encoded) ends.push((end += line.length));
      if (tail.length === 0) {
        for (const [index, events] of lines.entries()) this.appendSealed(events, encoded[index], ends[index]);
        return ends;
      }
      // The old log stays reachable under a second name until the new one has loaded.
      const keep = `${this.opLog.file}.before-sync`;
      rmSync(keep, { force: true });
      linkSync(this.opLog.file, keep);
      try {
        this.removeSnapshotsAfter(base.seq);
        this.opLog.rewriteFrom(base.offset, encoded);
        this.removeSnapshotsAfter(base.seq);
        this.catchUp();
      } catch (error) {
        renameSync(keep, this.opLog.file);
        this.catchUp();
        throw error;
      }
      rmSync(keep, { force: true });
      this.changed();
      return ends;
    });
  }

  private removeSnapshotsAfter(seq: number): void {
    for (const snapshot of this.snapshots.list()) if (snapshot.seq > seq) rmSync(snapshot.file, { force: true });
  }

  /** Appends events sealed elsewhere (pulled from the shared store) as one line: checked, applied, then made durable. */
  private appendSealed(events: RegistryEvent[], line: Buffer, offset: number): void {
    let link = { seq: this.position.seq, hash: this.position.hash };
    for (const event of events) {
      checkEventLink(event, link);
      link = { seq: event.seq, hash: event.hash };
    }
    if (offset !== this.position.offset + line.length) throw new RegistryError('CONFLICT', 'The op log moved while sync was appending to it; sync again.');
    this.commitLine(events, line);
    this.changed();
  }

  // ── internals ──────────────────────────────────────────────────────────────

  private async load(): Promise<void> {
    await SqlDatabase.ready();
    this.loadNow();
  }

  private loadNow(): void {
    this.logInode = this.opLog.fileState().inode;
    const snapshot = this.snapshots.readNewestIntact((file) => this.setAsideDamagedSnapshot(file));
    try {
      this.openDatabase(snapshot?.data);
      this.checkSnapshotAgainstLog();
      this.catchUp();
    } catch (error) {
      if (!snapshot || !isRegistryError(error, 'CORRUPT')) throw error;
      // The snapshot and the op log disagree; the log is the truth, so rebuild from it alone.
      this.db.close();
      this.warnings.push(`The database snapshot did not match the op log (${error.message}); the registry was rebuilt from the op log.`);
      this.openDatabase(undefined);
      this.catchUp();
    }
  }

  /** A snapshot taken before sync rewrote the log's tail may end where a different event now ends. */
  private checkSnapshotAgainstLog(): void {
    if (this.position.offset === 0) return;
    const line = this.opLog.lineEndingAt(this.position.offset);
    if (line && line[line.length - 1].hash !== this.position.hash) {
      throw new RegistryError('CORRUPT', `the snapshot's last event #${this.position.seq} is not the op log's event at that place`);
    }
  }

  private openDatabase(data: Buffer | undefined): void {
    try {
      this.db = SqlDatabase.openLoaded(data);
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
    const { inode, size } = this.opLog.fileState();
    if (this.logInode === undefined) this.logInode = inode;
    else if (inode !== undefined && inode !== this.logInode) {
      this.projection.forgetCachedKeys();
      this.db.close();
      this.loadNow();
      return true;
    }
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
      if (drafts.length === 0) return result();
      const events = sealEvents(drafts, this.position, actor);
      this.commitLine(events, OpLog.encode(events));
      const value = result();
      this.changed();
      this.notifyWebhooks(events);
      return value;
    });
  }

  /** Applies one line's events to the database and appends it to the op log, in one synchronous transaction. */
  private commitLine(events: RegistryEvent[], line: Buffer): void {
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
    const last = events[events.length - 1];
    this.position = { seq: last.seq, hash: last.hash, offset };
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
    return projectRelative(this.projectRoot, path.resolve(file));
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

