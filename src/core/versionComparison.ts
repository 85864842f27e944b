import type { Manifest, MetricDirection } from './manifest';
import type { ModelVersionDetails } from './modelVersion';
import type { ModelSignature, SignatureTensor } from './signature';
import { compareSignatures, type SignatureComparison } from './signatureComparison';
import type { Stage } from './stage';
import { ownValue, setOwn, userKeyedRecord } from './userKeyedRecord';

/**
 * What changed between two versions, computed once for `mreg diff` and the comparison page. It is
 * plain JSON: the extension posts it to the webview as is. Everything is seen from `before` to
 * `after`; sections the manifests do not have compare as empty rather than failing, because older
 * manifests lack what newer lineage capture records.
 */

export type ChangeStatus = 'same' | 'changed' | 'added' | 'removed';
/** How a metric moved given its direction; 'neutral' when the direction is unknown or it did not move. */
export type MetricVerdict = 'better' | 'worse' | 'neutral';

export interface ComparedVersion {
  model: string;
  number: number;
  ref: string;
  semver: string | null;
  stage: Stage;
  aliases: string[];
  description: string | null;
  createdAt: string;
  createdBy: string;
  fingerprint: string;
}

export interface MetricComparison {
  name: string;
  before: number | null;
  after: number | null;
  /** after − before, when both exist. */
  delta: number | null;
  /** delta / |before|; null when either is missing or before is 0. */
  relativeDelta: number | null;
  direction: MetricDirection | null;
  status: ChangeStatus;
  verdict: MetricVerdict;
}

/** A key whose value is compared as a whole: a param, an environment entry, a git field. */
export interface ValueComparison {
  name: string;
  before: unknown;
  after: unknown;
  status: ChangeStatus;
}

export interface ArtifactComparison {
  path: string;
  status: ChangeStatus;
  before: { size: number; sha256: string } | null;
  after: { size: number; sha256: string } | null;
}

export interface DataComparison {
  uri: string;
  status: ChangeStatus;
  before: { kind: string; sha256: string | null; size: number | null } | null;
  after: { kind: string; sha256: string | null; size: number | null } | null;
}

/** Commits from `before`'s commit to `after`'s, read from local git by whoever has a repository. */
export interface CommitsBetween {
  count: number;
  subjects: string[];
}

export interface VersionComparison {
  before: ComparedVersion;
  after: ComparedVersion;
  sameFingerprint: boolean;
  metrics: MetricComparison[];
  params: ValueComparison[];
  artifacts: ArtifactComparison[];
  signature: { before: ModelSignature | null; after: ModelSignature | null; comparison: SignatureComparison };
  lineage: {
    git: { before: string | null; after: string | null; fields: ValueComparison[]; commitsBetween: CommitsBetween | null };
    data: DataComparison[];
    environment: ValueComparison[];
  };
  manifests: { before: Manifest; after: Manifest };
  summary: {
    metrics: Record<MetricVerdict, number> & { changed: number };
    params: Record<Exclude<ChangeStatus, 'same'>, number>;
    artifacts: Record<ChangeStatus, number>;
    data: number;
    environment: number;
    breakingSignature: boolean;
  };
}

export function compareVersions(before: ModelVersionDetails, after: ModelVersionDetails): VersionComparison {
  const metrics = compareMetrics(before.manifest, after.manifest);
  const params = compareValues(before.manifest.lineage.params, after.manifest.lineage.params);
  const artifacts = compareArtifacts(before.manifest, after.manifest);
  const data = compareData(before.manifest, after.manifest);
  const environment = compareValues(flatten(before.manifest.lineage.environment), flatten(after.manifest.lineage.environment));
  const gitBefore = before.manifest.lineage.git;
  const gitAfter = after.manifest.lineage.git;
  const signatureBefore = asSignature(before.manifest.signature);
  const signatureAfter = asSignature(after.manifest.signature);
  const signature = compareSignatures(signatureBefore ?? undefined, signatureAfter ?? undefined);
  const count = <T extends { status: ChangeStatus }>(rows: T[], status: ChangeStatus) => rows.filter((row) => row.status === status).length;
  return {
    before: describe(before),
    after: describe(after),
    sameFingerprint: before.fingerprint === after.fingerprint,
    metrics,
    params,
    artifacts,
    signature: { before: signatureBefore, after: signatureAfter, comparison: signature },
    lineage: {
      git: {
        before: gitBefore?.commit ?? null,
        after: gitAfter?.commit ?? null,
        fields: compareValues(flatten(gitBefore ?? {}), flatten(gitAfter ?? {})),
        commitsBetween: null,
      },
      data,
      environment,
    },
    manifests: { before: before.manifest, after: after.manifest },
    summary: {
      metrics: {
        better: metrics.filter((m) => m.verdict === 'better').length,
        worse: metrics.filter((m) => m.verdict === 'worse').length,
        neutral: metrics.filter((m) => m.verdict === 'neutral').length,
        changed: metrics.filter((m) => m.status !== 'same').length,
      },
      params: { changed: count(params, 'changed'), added: count(params, 'added'), removed: count(params, 'removed') },
      artifacts: { same: count(artifacts, 'same'), changed: count(artifacts, 'changed'), added: count(artifacts, 'added'), removed: count(artifacts, 'removed') },
      data: data.filter((row) => row.status !== 'same').length,
      environment: environment.filter((row) => row.status !== 'same').length,
      breakingSignature: signature.breaking,
    },
  };
}

function describe(details: ModelVersionDetails): ComparedVersion {
  return {
    model: details.model,
    number: details.number,
    ref: `${details.model}/${details.number}`,
    semver: details.semver,
    stage: details.stage,
    aliases: details.aliases,
    description: details.description,
    createdAt: details.createdAt,
    createdBy: details.createdBy,
    fingerprint: details.fingerprint,
  };
}

function compareMetrics(before: Manifest, after: Manifest): MetricComparison[] {
  return unionOfKeys(before.metrics, after.metrics).map((name) => {
    const old = ownValue(before.metrics, name);
    const current = ownValue(after.metrics, name);
    // The newer version's direction wins: it is the more recent statement of what "better" means.
    const direction = current?.direction ?? old?.direction ?? null;
    if (!old || !current) {
      return { name, before: old?.value ?? null, after: current?.value ?? null, delta: null, relativeDelta: null, direction, status: old ? 'removed' : 'added', verdict: 'neutral' };
    }
    const delta = current.value - old.value;
    const relativeDelta = old.value === 0 ? null : delta / Math.abs(old.value);
    const verdict: MetricVerdict = delta === 0 || !direction ? 'neutral' : (delta > 0) === (direction === 'max') ? 'better' : 'worse';
    return { name, before: old.value, after: current.value, delta, relativeDelta, direction, status: delta === 0 ? 'same' : 'changed', verdict };
  });
}

/** Compares two maps key by key; values are equal when their JSON is. */
export function compareValues(before: Record<string, unknown>, after: Record<string, unknown>): ValueComparison[] {
  return unionOfKeys(before, after).map((name) => {
    const inBefore = Object.hasOwn(before, name);
    const inAfter = Object.hasOwn(after, name);
    const status: ChangeStatus = !inBefore ? 'added' : !inAfter ? 'removed' : JSON.stringify(before[name]) === JSON.stringify(after[name]) ? 'same' : 'changed';
    return { name, before: inBefore ? before[name] : null, after: inAfter ? after[name] : null, status };
  });
}

function compareArtifacts(before: Manifest, after: Manifest): ArtifactComparison[] {
  const old = new Map(before.artifacts.map((artifact) => [artifact.path, artifact]));
  const current = new Map(after.artifacts.map((artifact) => [artifact.path, artifact]));
  return unionOfKeys(Object.fromEntries(old), Object.fromEntries(current)).map((path) => {
    const a = old.get(path);
    const b = current.get(path);
    const status: ChangeStatus = !a ? 'added' : !b ? 'removed' : a.sha256 === b.sha256 ? 'same' : 'changed';
    return { path, status, before: a ? { size: a.size, sha256: a.sha256 } : null, after: b ? { size: b.size, sha256: b.sha256 } : null };
  });
}

function compareData(before: Manifest, after: Manifest): DataComparison[] {
  const entry = (data: Manifest['lineage']['data'][number]) => ({ kind: data.kind, sha256: data.sha256 ?? null, size: data.size ?? null });
  const old = new Map(before.lineage.data.map((data) => [data.uri, entry(data)]));
  const current = new Map(after.lineage.data.map((data) => [data.uri, entry(data)]));
  return unionOfKeys(Object.fromEntries(old), Object.fromEntries(current)).map((uri) => {
    const a = old.get(uri) ?? null;
    const b = current.get(uri) ?? null;
    const status: ChangeStatus = !a ? 'added' : !b ? 'removed' : a.sha256 === b.sha256 && a.size === b.size && a.kind === b.kind ? 'same' : 'changed';
    return { uri, status, before: a, after: b };
  });
}

/**
 * Nested lineage (environment packages, lock files, git details) as dotted keys, so each package
 * version or lock-file hash shows as its own change. Arrays of records named by `path` or `name`
 * (lock files, packages) are keyed by that name; other arrays compare whole.
 */
export function flatten(value: Record<string, unknown>, prefix = '', into: Record<string, unknown> = userKeyedRecord()): Record<string, unknown> {
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(item) && item.length > 0 && item.every((element) => isRecord(element) && typeof (element.path ?? element.name) === 'string')) {
      for (const element of item as Record<string, unknown>[]) {
        const { path, name: elementName, ...rest } = element;
        const id = `${name}[${String(path ?? elementName)}]`;
        if (Object.keys(rest).length === 0) setOwn(into, id, true);
        else flatten(rest, id, into);
      }
    } else if (isRecord(item) && Object.keys(item).length > 0) {
      flatten(item, name, into);
    } else {
      setOwn(into, name, item);
    }
  }
  return into;
}

/** The manifest's signature when it has the shape of one (older manifests have none, others may record junk). */
export function asSignature(value: unknown): ModelSignature | null {
  if (!isRecord(value) || !Array.isArray(value.inputs) || !Array.isArray(value.outputs)) return null;
  const isTensor = (tensor: unknown): tensor is SignatureTensor =>
    isRecord(tensor) &&
    typeof tensor.name === 'string' &&
    typeof tensor.elementType === 'string' &&
    Array.isArray(tensor.shape) &&
    tensor.shape.every((dim) => dim === null || typeof dim === 'number' || typeof dim === 'string');
  return value.inputs.every(isTensor) && value.outputs.every(isTensor) ? { inputs: value.inputs, outputs: value.outputs } : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unionOfKeys(...maps: object[]): string[] {
  return [...new Set(maps.flatMap((map) => Object.keys(map)))].sort();
}

// --- Columns: up to five versions side by side ----------------------------------------------

export const MAX_COLUMNS = 5;

/** Two to five versions as columns: each metric, param and artifact a row, one cell per version. */
export interface VersionColumns {
  versions: ComparedVersion[];
  metrics: MetricRow[];
  params: ValueRow[];
  artifacts: ArtifactRow[];
}

export interface MetricRow {
  name: string;
  direction: MetricDirection | null;
  /** One per version; null where the version does not record the metric. */
  values: (number | null)[];
  /** Columns holding the best value by the metric's direction; none without a direction or when all are equal. */
  best: number[];
}

export interface ValueRow {
  name: string;
  /** One per version; `present[i]` tells a recorded null from a missing param. */
  values: unknown[];
  present: boolean[];
  differs: boolean;
}

export interface ArtifactRow {
  path: string;
  values: ({ size: number; sha256: string } | null)[];
  differs: boolean;
}

/** The columns for `mreg diff a b c …` and the columns page, versions in the order given. */
export function compareColumns(versions: readonly ModelVersionDetails[]): VersionColumns {
  const metrics = unionOfKeys(...versions.map((version) => version.manifest.metrics)).map((name): MetricRow => {
    const cells = versions.map((version) => ownValue(version.manifest.metrics, name));
    // The newest version's direction wins, as between two versions.
    const newest = [...cells.keys()].sort((a, b) => versions[b].number - versions[a].number || b - a).map((index) => cells[index]?.direction).find(Boolean);
    const direction = newest ?? null;
    const values = cells.map((cell) => cell?.value ?? null);
    const present = values.filter((value): value is number => value !== null);
    const target = direction === 'max' ? Math.max(...present) : Math.min(...present);
    const allEqual = present.every((value) => value === present[0]);
    const best = direction && present.length > 1 && !allEqual ? values.flatMap((value, index) => (value === target ? [index] : [])) : [];
    return { name, direction, values, best };
  });
  const params = valueRows(versions.map((version) => version.manifest.lineage.params));
  const artifactMaps = versions.map((version) => Object.fromEntries(version.manifest.artifacts.map((artifact) => [artifact.path, { size: artifact.size, sha256: artifact.sha256 }])));
  const artifacts = unionOfKeys(...artifactMaps).map((path): ArtifactRow => {
    const values = artifactMaps.map((map) => ownValue(map, path) ?? null);
    return { path, values, differs: new Set(values.map((value) => value?.sha256 ?? null)).size > 1 };
  });
  return { versions: versions.map(describe), metrics, params, artifacts };
}

function valueRows(maps: Record<string, unknown>[]): ValueRow[] {
  return unionOfKeys(...maps).map((name) => {
    const present = maps.map((map) => Object.hasOwn(map, name));
    const values = maps.map((map, index) => (present[index] ? map[name] : null));
    return { name, values, present, differs: new Set(values.map((value, index) => (present[index] ? JSON.stringify(value) : undefined))).size > 1 };
  });
}
