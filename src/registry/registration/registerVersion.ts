import { ulid } from 'ulid';
import type { EventDraft } from '../../core/events';
import { rulesFor } from '../../core/governance/policy';
import { MANIFEST_SCHEMA_VERSION, manifestBytes, parseManifest, type Artifact, type DataLineage, type GitLineage, type Manifest } from '../../core/manifest';
import { mediaTypeOf } from '../../core/weightFormats';
import type { ModelVersion } from '../../core/modelVersion';
import { assertKey, assertModelName, assertNoCaseClash, normalizeSemver } from '../../core/names';
import { formatRef } from '../../core/refs';
import { RegistryError, throwIfCancelled } from '../../core/registryError';
import type { WorkOptions } from '../../core/workOptions';
import { inspectArtifactFiles, versionSignature } from '../../formats/inspectArtifact';
import type { Inspection } from '../../formats/inspection';
import { captureLineage, type CaptureOptions, type CapturedLineage } from '../../lineage/captureLineage';
import { captureDataLineage } from '../../lineage/dataLineage';
import { assertCleanTree, captureGitLineage } from '../../lineage/gitLineage';
import { collectArtifactFiles } from '../../store/artifactFiles';
import type { HashOptions } from '../../store/fileHashing';
import { planStageChange } from '../lifecycle/stageChanges';
import { assertNotDeletedModel } from '../lifecycle/versionDeletion';
import type { RegistryEngine } from '../registryEngine';
import { BlobsRemovedError } from '../retention/garbageCollection';
import { buildMetrics, type RegisterInput } from './registerInput';

/** Registers a new version: inspect, hash and store the artifacts, then append its event (checked under the lock). */
export async function registerVersion(engine: RegistryEngine, input: RegisterInput, work: WorkOptions = {}): Promise<ModelVersion> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await registerOnce(engine, input, work);
    } catch (error) {
      // A concurrent gc removed a blob this version reuses: storing again puts it back.
      if (!(error instanceof BlobsRemovedError) || attempt >= 3) throw error;
    }
  }
}

async function registerOnce(engine: RegistryEngine, input: RegisterInput, work: WorkOptions): Promise<ModelVersion> {
  const semver = checkRegisterInput(engine, input);
  const actor = engine.actor();
  engine.blobs.removeLeftovers();
  const manifest = await buildManifest(engine, await completeLineage(engine, input, work, true), work, true);
  throwIfCancelled(work.signal);
  await actor;
  engine.folder.initialize();
  const fingerprint = engine.blobs.putBytes(manifestBytes(manifest)).sha256;

  return engine.mutate(() => {
    const { blobs, queries } = engine;
    const missing = [fingerprint, ...manifest.artifacts.map((artifact) => artifact.sha256)].filter((sha256) => !blobs.has(sha256));
    if (missing.length > 0) throw new BlobsRemovedError(missing);
    const existing = queries.findByFingerprint(input.model, fingerprint);
    if (existing) {
      throw new RegistryError(
        'DUPLICATE',
        `This exact version is already registered as ${formatRef(existing.model, existing.number)} (same artifacts, lineage, params and metrics). Use it, or change something to make a new version.`,
      );
    }
    if (semver) assertSemverFree(engine, input.model, semver);
    const drafts: EventDraft[] = [];
    assertNotDeletedModel(queries, input.model);
    if (!queries.hasModel(input.model)) {
      // One indexed lookup under the lock, not a listing of every model.
      const clash = queries.modelNameDifferingInCase(input.model);
      assertNoCaseClash(input.model, clash === undefined ? [] : [clash]);
      drafts.push({ type: 'model.created', model: input.model, payload: {} });
    }
    const number = queries.nextNumber(input.model);
    drafts.push({
      type: 'version.registered',
      model: input.model,
      version: number,
      payload: { id: ulid(), semver, stage: 'None', description: input.description, tags: input.tags ?? {}, fingerprint, manifest },
      reason: input.reason,
    });
    if (input.stage && input.stage !== 'None') drafts.push(...planStageChange(engine, input.model, number, 'None', input.stage, input.reason));
    return { drafts, result: () => queries.find({ model: input.model, selector: { kind: 'number', number } }) };
  });
}

/**
 * Checks what can be checked before any hashing (names, keys, semver free, no policy-guarded
 * stage); returns the normalized semver label. Register runs it first; a caller that captures
 * lineage before registering runs it before that too.
 */
export function checkRegisterInput(engine: RegistryEngine, input: RegisterInput): string | undefined {
  assertModelName(input.model);
  const semver = input.semver === undefined ? undefined : normalizeSemver(input.semver);
  buildMetrics(input.metrics ?? {}, input.metricDirections ?? {});
  for (const key of Object.keys(input.params ?? {})) assertKey('param', key);
  for (const key of Object.keys(input.tags ?? {})) assertKey('tag', key);
  engine.refresh();
  if (semver) assertSemverFree(engine, input.model, semver);
  if (input.stage && rulesFor(engine.policy(), input.model, input.stage).length > 0) {
    throw new RegistryError('GATE_FAILED', `The policy guards moving ${input.model} into ${input.stage}, so it cannot be registered straight into it. Register without --stage, then: mreg promote ${input.model}/<number> ${input.stage.toLowerCase()}`);
  }
  return semver;
}

/** The manifest `register` would write for this input, computed without writing anything. */
export async function previewManifest(engine: RegistryEngine, input: RegisterInput, work: WorkOptions = {}): Promise<Manifest> {
  checkRegisterInput(engine, input);
  return parseManifest(await buildManifest(engine, await completeLineage(engine, input, work, false), work, false), 'that would be registered');
}

/**
 * What a registration from this project would record about how the model was made (git, data,
 * params, metrics, environment); see `captureLineage`. Local data is hashed through the registry's
 * stat cache, which a dry run only reads.
 */
export function captureProjectLineage(engine: RegistryEngine, options: Omit<CaptureOptions, 'hasher' | 'ignore'> & { dryRun?: boolean } = {}): Promise<CapturedLineage> {
  const remember = !options.dryRun;
  return captureLineage(engine.projectRoot, {
    ...options,
    hasher: { hash: (file, hashOptions = {}) => engine.statCache.hash(file, { ...hashOptions, remember }) },
    ignore: [engine.folder.root],
  });
}

/** A registration's input with nothing left to capture. */
type CompleteInput = RegisterInput & { git: GitLineage | null; data: DataLineage[] };

/**
 * The one place a registration captures lineage the caller left open: git when `git` is undefined,
 * and `data` given as paths or URIs. A caller that captured already (`captureLineage` +
 * `withCapturedLineage`: the CLI, the extension) has nothing left open, so nothing is captured twice.
 */
async function completeLineage(engine: RegistryEngine, input: RegisterInput, work: WorkOptions, remember: boolean): Promise<CompleteInput> {
  // Git answers while the data is hashed.
  const capturing = input.git !== undefined ? Promise.resolve(input.git) : captureGitLineage(engine.projectRoot, { ignore: [engine.folder.root] });
  capturing.catch(() => undefined);
  const hasher = { hash: (file: string, options: HashOptions = {}) => engine.statCache.hash(file, { ...options, remember }) };
  const data: DataLineage[] = [];
  for (const spec of input.data ?? []) {
    if (typeof spec === 'string') data.push(...(await captureDataLineage(spec, engine.projectRoot, hasher, { signal: work.signal })));
    else data.push(spec);
  }
  const git = await capturing;
  if (input.requireClean) assertCleanTree(git);
  return { ...input, git, data };
}

/** The manifest of a registration whose lineage is complete; `store` puts the artifacts in the blob store, else they are only hashed. */
async function buildManifest(engine: RegistryEngine, input: CompleteInput, work: WorkOptions, store: boolean): Promise<Manifest> {
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
    const blob = store ? await engine.blobs.putFile(file.file, hashOptions) : await engine.statCache.hash(file.file, { ...hashOptions, remember: false });
    done += file.size;
    const inspection = inspections.get(file.artifactPath);
    artifacts.push({ path: file.artifactPath, size: blob.size, sha256: blob.sha256, mediaType: mediaTypeOf(file.file), ...(inspection ? { inspection } : {}) });
  }
  const signature = versionSignature(inspections.values());
  const source: Manifest['source'] = { inputs: input.paths.map((p) => engine.projectRelative(p)) };
  if (input.sources?.params) source.params = input.sources.params;
  if (input.sources?.metrics) source.metrics = input.sources.metrics;
  if (input.sources?.run) source.run = input.sources.run;
  const manifest: Manifest = {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    artifacts,
    lineage: {
      git: input.git,
      data: input.data,
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

function assertSemverFree(engine: RegistryEngine, model: string, semver: string): void {
  const holder = engine.queries.findBySemver(model, semver);
  if (holder) throw new RegistryError('DUPLICATE', `Semver label ${semver} is already taken by ${formatRef(model, holder.number)}; labels are unique per model.`);
}
