import type { RegistryEvent } from '../core/events';
import type { ApprovalRequest } from '../core/governance/approvals';
import type { Policy } from '../core/governance/policy';
import type { GateEvaluation } from '../core/governance/promotionGates';
import type { Manifest } from '../core/manifest';
import type { MetricHistory } from '../core/metricHistory';
import type { AuditEvent, ModelVersion, ModelVersionDetails, RegisteredModel, ResolvedVersion } from '../core/modelVersion';
import type { Ref } from '../core/refs';
import type { QueryCompletion } from '../core/search/queryCompletion';
import type { QueryError } from '../core/search/queryParser';
import type { QueryVocabulary, SearchHit, SearchOptions } from '../core/search/versionSearch';
import type { Stage } from '../core/stage';
import type { StageAtTime, StageChange } from '../core/stageHistory';
import type { VersionColumns, VersionComparison } from '../core/versionComparison';
import type { WorkOptions } from '../core/workOptions';
import type { CaptureOptions, CapturedLineage } from '../lineage/captureLineage';
import type { BlobStore } from '../store/blobStore';
import type { OpLogLine } from '../store/persistence/opLog';
import type { RegistryFolder } from '../store/registryFolder';
import { fileRegistrationStatus, type FileRegistrationStatus } from './fileRegistrationStatus';
import { approvalRequests, approveAndPromote, decideApproval, requestApproval, type ApprovalOutcome } from './governance/approvalWorkflow';
import { promotionGates } from './governance/promotionGateCheck';
import { stageGuards, type StageGuard } from './governance/stageGuards';
import { checkIntegrity, type IntegrityReport } from './integrityCheck';
import { rollBackProduction, rollbackPlan, type RollbackPlan } from './lifecycle/rollback';
import { promoteVersion, stageHistory, type PromoteOptions } from './lifecycle/stageChanges';
import { removeAlias, setAlias, updateModel, updateVersion, type Changes } from './lifecycle/versionEdits';
import { deleteModel, deleteVersion, deletionRefusals, type DeletionReport } from './lifecycle/versionDeletion';
import { pullVersion, type PullResult } from './pullVersion';
import { toRef } from './refArgument';
import { captureProjectLineage, checkRegisterInput, previewManifest, registerVersion } from './registration/registerVersion';
import type { RegisterInput } from './registration/registerInput';
import { repairOpLog, type RepairReport } from './repair/registryRepair';
import { RegistryEngine, type LoadTimings, type LogDamage, type LogPosition, type RegistryOptions } from './registryEngine';
import { RegistrySearch } from './registrySearch';
import { collectGarbage, type GcOptions } from './retention/collectGarbage';
import { liveBlobs, type GcReport } from './retention/garbageCollection';
import { compareMany, compareTwo, modelMetricHistory } from './versionComparisons';
import { narrowToPath } from '../core/versionPath';
import { runActingAs } from './actingActor';
import type { LineageGraph, LineageOptions } from '../core/lineageGraph';
import type { OverviewRow } from '../core/registryOverview';
import { registryOverview } from './modelsOverview';
import { lineageOf } from './registryLineage';

export type { Changes, DeletionReport, PromoteOptions, RegisterInput, RegistryOptions, WorkOptions };
export type { StageGuard };

/**
 * The registry: one API for the CLI, the Node library and the extension. Each method is one use
 * case, written once in the files beside this one (registration/, lifecycle/, governance/,
 * retention/ …) over the event-sourced state in RegistryEngine.
 */
export class Registry {
  private readonly search_: RegistrySearch;

  private constructor(private readonly engine: RegistryEngine) {
    this.search_ = new RegistrySearch(engine);
  }

  /** Opens (or, on first write, creates) the registry in `options.folder`. */
  static async open(options: RegistryOptions): Promise<Registry> {
    return new Registry(await RegistryEngine.open(options));
  }

  get folder(): RegistryFolder {
    return this.engine.folder;
  }

  get projectRoot(): string {
    return this.engine.projectRoot;
  }

  get blobs(): BlobStore {
    return this.engine.blobs;
  }

  /** Things a person should know about how the registry was opened (a damaged snapshot, say). */
  get warnings(): string[] {
    return this.engine.warnings;
  }

  /** Where opening the registry spent its time, by phase (milliseconds): diagnostics, as `npm run bench` prints them. */
  get loadTimings(): Readonly<LoadTimings> {
    return this.engine.loadTimings;
  }

  /**
   * `mreg repair`: rebuilds a damaged op log from its intact part, the readable batches after the
   * damage and the newest intact snapshot, keeping the damaged file aside (see repairOpLog).
   */
  async repair(options: { pullFromStore?: () => Promise<string[]> } = {}): Promise<RepairReport> {
    const report = await this.engine.repairLog((actor) => repairOpLog({ folder: this.engine.folder, blobs: this.engine.blobs, actor }));
    // The shared store holds every pushed event: once the log is sound, pulling brings back what it has.
    if (report.repaired && options.pullFromStore) report.pulled = await options.pullFromStore();
    return report;
  }

  /** Why the registry is read-only, when its op log is damaged (`mreg repair` fixes it); undefined when it is sound. */
  get damage(): LogDamage | undefined {
    return this.engine.damage;
  }

  // ── reading ────────────────────────────────────────────────────────────────

  models(): RegisteredModel[] {
    this.refresh();
    return this.engine.queries.models();
  }

  /** How many models and versions, without listing them. */
  counts(): { models: number; versions: number } {
    this.refresh();
    return this.engine.queries.counts();
  }

  model(name: string): RegisteredModel {
    this.refresh();
    return this.engine.queries.model(name);
  }

  /** A model's versions, newest first. */
  versions(model: string): ModelVersion[] {
    this.refresh();
    return this.engine.queries.versions(model);
  }

  versionsInStage(stage: Stage): ModelVersion[] {
    this.refresh();
    return this.engine.queries.versionsInStage(stage);
  }

  /** Versions of any model whose metric lies in [min, max], highest value first. */
  versionsByMetric(metric: string, range: { min?: number; max?: number; limit?: number } = {}): (ModelVersion & { metricValue: number })[] {
    this.refresh();
    return this.engine.queries.versionsByMetric(metric, range);
  }

  version(ref: string | Ref): ModelVersionDetails {
    this.refresh();
    const version = this.engine.queries.find(toRef(ref));
    return { ...version, manifest: this.engine.manifestOf(version) };
  }

  /** What serving code asks for: the exact version and where its verified bytes are. */
  resolve(ref: string | Ref): ResolvedVersion {
    const parsed = toRef(ref);
    const { manifest, ...version } = this.version(parsed);
    const resolved = {
      version,
      artifacts: manifest.artifacts.map((artifact) => ({ ...artifact, blobPath: this.blobs.pathOf(artifact.sha256) })),
      pinned: !(parsed.selector.kind === 'latest' && parsed.selector.implicit),
    };
    // models:/name/3/MLmodel names one artifact (or folder) of the version.
    return parsed.path === undefined ? resolved : narrowToPath(resolved, parsed.path);
  }

  /** Whether a file on disk is a registered artifact, or was one and has changed since (no hashing). */
  fileStatus(file: string): FileRegistrationStatus | undefined {
    this.refresh();
    return fileRegistrationStatus(file, this.engine.statCache, this.engine.queries);
  }

  log(options: { model?: string; limit?: number } = {}): AuditEvent[] {
    this.refresh();
    return this.engine.queries.events(options);
  }

  /** Picks up what other processes (the CLI beside the extension) wrote; true when something changed. */
  refresh(): boolean {
    return this.engine.refresh();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    return this.engine.onDidChange(listener);
  }

  // ── comparing ──────────────────────────────────────────────────────────────

  /** What changed from one version to another, with the commits between them when local git knows both. */
  compare(before: string | Ref, after: string | Ref): Promise<VersionComparison> {
    return compareTwo(this.engine, (ref) => this.version(ref), before, after);
  }

  /** A model's metrics across all its versions, with the versions whose stage changed marked (the metrics chart). */
  metricHistory(model: string): MetricHistory {
    return modelMetricHistory(this.engine, model);
  }

  /** Two to five versions side by side, in the order given (the columns page, `mreg diff a b c`). */
  compareColumns(refs: readonly (string | Ref)[]): VersionColumns {
    return compareMany((ref) => this.version(ref), refs);
  }

  /** One row per model: latest, Production and Staging versions, main metrics, approvals, last change, storage (the overview page). */
  overview(): OverviewRow[] {
    return registryOverview(this.engine);
  }

  /** The lineage graph around a version, a model or a data entry (`mreg lineage`, the lineage page). */
  lineage(subject: string, options: LineageOptions = {}): LineageGraph {
    return lineageOf(this.engine, subject, options);
  }

  // ── search ─────────────────────────────────────────────────────────────────

  /** Versions matching a query such as `name LIKE 'fraud%' AND metrics.accuracy > 0.85` (README: Search). */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    return this.search_.search(query, options);
  }

  /**
   * The QueryError a query would raise (with its offsets), or undefined when it is valid; runs no
   * search, and shares completion's vocabulary (gathered once per registry change).
   */
  validateQuery(query: string): QueryError | undefined {
    return this.search_.validate(query);
  }

  /** Completion for a query being typed (fields, operators, known values) at `cursor`. */
  completeQuery(query: string, cursor: number): QueryCompletion {
    return this.search_.complete(query, cursor);
  }

  /** The words completion offers (metric, param and tag names, models, aliases …), for completing a query elsewhere with `completeQuery`. */
  queryVocabulary(): QueryVocabulary {
    this.refresh();
    return this.search_.words();
  }

  // ── registering ────────────────────────────────────────────────────────────

  register(input: RegisterInput, work: WorkOptions = {}): Promise<ModelVersion> {
    return registerVersion(this.engine, input, work);
  }

  /**
   * Checks what can be checked before any hashing (names, keys, semver free, no policy-guarded
   * stage); returns the normalized semver label. Register runs it first; a caller that captures
   * lineage before registering runs it before that too.
   */
  checkRegisterInput(input: RegisterInput): string | undefined {
    return checkRegisterInput(this.engine, input);
  }

  /**
   * What a registration from this project would record about how the model was made (git, data,
   * params, metrics, environment); see `captureLineage`. Local data is hashed through the registry's
   * stat cache, which a dry run only reads. Pass the result on to `register` with `withCapturedLineage`.
   */
  captureLineage(options: Omit<CaptureOptions, 'hasher' | 'ignore'> & { dryRun?: boolean } = {}): Promise<CapturedLineage> {
    return captureProjectLineage(this.engine, options);
  }

  /** The manifest `register` would write for this input, computed without writing anything. */
  previewManifest(input: RegisterInput, work: WorkOptions = {}): Promise<Manifest> {
    return previewManifest(this.engine, input, work);
  }

  // ── lifecycle ──────────────────────────────────────────────────────────────

  /**
   * Moves a version to a stage; promoting to Production archives the previous Production version.
   * Gates the policy sets are evaluated under the writer lock (see `promoteVersion`).
   */
  promote(ref: string | Ref, stage: Stage, options: PromoteOptions = {}): Promise<ModelVersion> {
    return promoteVersion(this.engine, ref, stage, options);
  }

  /** A model's stage changes, oldest first; with `asOf`, also which versions held the stage then. */
  stageHistory(model: string, options: { stage?: Stage; asOf?: Date } = {}): { changes: StageChange[]; asOf?: StageAtTime } {
    return stageHistory(this.engine, model, options);
  }

  /** What a rollback of the model's Production would do, or an error saying why it cannot. */
  rollbackPlan(model: string): RollbackPlan {
    return rollbackPlan(this.engine, model);
  }

  /** Returns Production to the version that held it before the current one, in one step. */
  rollback(model: string, options: { reason: string }): Promise<RollbackPlan> {
    return rollBackProduction(this.engine, model, options);
  }

  /** Points an alias at a version, moving it from wherever it pointed before. */
  setAlias(ref: string | Ref, alias: string, options: { reason?: string } = {}): Promise<ModelVersion> {
    return setAlias(this.engine, ref, alias, options);
  }

  removeAlias(model: string, alias: string, options: { reason?: string } = {}): Promise<void> {
    return removeAlias(this.engine, model, alias, options);
  }

  updateModel(name: string, changes: Changes): Promise<RegisteredModel> {
    return updateModel(this.engine, name, changes);
  }

  updateVersion(ref: string | Ref, changes: Changes): Promise<ModelVersion> {
    return updateVersion(this.engine, ref, changes);
  }

  /** Deletes a version with a tombstone sync carries (refused in Production and where the policy forbids); see `deleteVersion`. */
  deleteVersion(ref: string | Ref, options: { reason: string }): Promise<DeletionReport> {
    return deleteVersion(this.engine, ref, options);
  }

  /** Why `deleteVersion(ref)` (or, given a bare model name, `deleteModel`) would be refused now; empty when it would not. */
  deletionRefusals(ref: string | Ref): string[] {
    this.refresh();
    const parsed = toRef(ref);
    const implicit = parsed.selector.kind === 'latest' && parsed.selector.implicit;
    return deletionRefusals(this.engine, implicit ? this.engine.queries.versions(parsed.model) : [this.engine.queries.find(parsed)]);
  }

  /** Deletes every version of a model (by the same rules), then the model; its name and history stay. */
  deleteModel(name: string, options: { reason: string }): Promise<DeletionReport> {
    return deleteModel(this.engine, name, options);
  }

  // ── governance: policy, promotion gates, approvals ─────────────────────────

  /** The project's policy (`policy.yaml` in the registry folder); empty when there is none. */
  policy(): Policy {
    return this.engine.policy();
  }

  /** What the policy's gates say about moving `ref` into `stage` now, without changing anything. */
  promotionGates(ref: string | Ref, stage: Stage, policy?: Policy): GateEvaluation {
    return promotionGates(this.engine, ref, stage, policy);
  }

  /** The stages the policy guards for a version, each with its gates evaluated now (read-only). */
  stageGuards(ref: string | Ref): StageGuard[] {
    return stageGuards(this.engine, ref);
  }

  /** Approval requests, oldest first; `pending` keeps those still waiting for approvals. */
  approvalRequests(options: { model?: string; pending?: boolean } = {}): ApprovalRequest[] {
    return approvalRequests(this.engine, options);
  }

  /** Asks reviewers to approve moving a version into a stage. */
  requestApproval(ref: string | Ref, stage: Stage, options: { reason?: string } = {}): Promise<ApprovalRequest> {
    return requestApproval(this.engine, ref, stage, options);
  }

  /**
   * Approves a request (the approver may not be the version's registrant, and approves once); the
   * last approval needed also promotes the version, the gates evaluated as by `promote`.
   */
  approve(id: string, options: { reason?: string } = {}): Promise<ApprovalOutcome> {
    return approveAndPromote(this.engine, id, options);
  }

  /** Rejects a request, with a reason; a rejected request counts no approvals. */
  reject(id: string, options: { reason: string }): Promise<ApprovalRequest> {
    return decideApproval(this.engine, id, 'approval.rejected', options.reason);
  }

  // ── retention ──────────────────────────────────────────────────────────────

  /** Applies the retention policy and collects unreferenced blobs (see `collectGarbage`); a dry run changes nothing. */
  gc(options: GcOptions = {}): Promise<GcReport> {
    return collectGarbage(this.engine, options);
  }

  /** Every blob a live version needs, pushed or pending, leaving out versions in `except` ('model/number'). */
  liveBlobs(except: ReadonlySet<string> = new Set()): Set<string> {
    this.refresh();
    return liveBlobs(this.engine.db, except);
  }

  // ── artifacts and integrity ───────────────────────────────────────────────

  /** Copies a version's artifacts into `toDir` under their relative paths, verifying every byte. */
  pull(ref: string | Ref, toDir: string, options: WorkOptions & { force?: boolean } = {}): Promise<PullResult> {
    return pullVersion(this.resolve(ref), toDir, options);
  }

  /** Re-hashes every blob and checks the event chain; lists each problem found. */
  verify(work: WorkOptions = {}): Promise<IntegrityReport> {
    this.refresh();
    const { log, blobs, queries, position } = this.engine;
    return checkIntegrity({ opLog: log, blobs, queries, head: position }, work);
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
    this.engine.checkpoint();
  }

  close(): Promise<void> {
    return this.engine.close();
  }

  /** Runs `work` with its changes recorded as made by `actor` (a server acting for its callers); other work keeps the registry's identity. */
  actingAs<T>(actor: string, work: () => Promise<T>): Promise<T> {
    return runActingAs(actor, work);
  }

  // ── sync: the op log as the shared store sees it ─────────────────────────

  /** The op log's complete lines after `offset`. */
  logLinesAfter(offset: number): OpLogLine[] {
    return this.engine.logLinesAfter(offset);
  }

  /** Replaces the op log after `base` with the lines `plan` makes of what is there now (see RegistryEngine.replaceLogTail). */
  replaceLogTail(base: LogPosition, plan: (tail: OpLogLine[]) => RegistryEvent[][]): Promise<number[]> {
    return this.engine.replaceLogTail(base, plan);
  }
}

/** The gates for moving `ref` into `stage`, read through the registry's public API (what the extension shows before a promotion). */
export function evaluatePromotionGates(registry: Registry, ref: string | Ref, stage: Stage, policy?: Policy): GateEvaluation {
  return registry.promotionGates(ref, stage, policy);
}
