import type { RecordedGates } from '../../core/governance/recordedGates';
import type { AuditEvent, ModelVersionDetails } from '../../core/modelVersion';
import { isStage, type Stage } from '../../core/stage';
import type { StageGuard } from '../../registry/registry';
import type { MetricHistory } from '../../core/metricHistory';
import { modelNameProblem } from '../../core/names';
import { formatRef, parseRef } from '../../core/refs';
import { MAX_COLUMNS, type VersionColumns, type VersionComparison } from '../../core/versionComparison';
import { isRegistryPageAnswer, isRegistryPageData, isRegistryPageRequest, type LineagePage, type OverviewPage, type RegistryPageAnswer, type RegistryPageRequest } from './registryPagesProtocol';

/**
 * The messages between the extension and the version pages, both ways. Nothing here imports
 * vscode: the webview bundle uses the same types and the same run-time checks. Each side checks
 * what it receives, because a webview is a web page: whatever it posts is untrusted input, and
 * the page trusts only messages of the expected shape.
 */

/** A version's page: the version with its manifest, the artifacts' sizes and hashes, its events. */
export interface VersionPage {
  kind: 'details';
  details: ModelVersionDetails;
  uri: string;
  events: AuditEvent[];
  /** Absent where no registry call filled it (a page built elsewhere): the page then shows no gates section. */
  governance?: VersionGovernance;
}

/** What the policy says about the version: its guarded stages evaluated now, and the last evaluation a stage change recorded. */
export interface VersionGovernance {
  guards: StageGuard[];
  recorded: RecordedGates | null;
}

export interface ComparisonPage {
  kind: 'comparison';
  comparison: VersionComparison;
}

/** A model's metrics across its versions, drawn as a chart with its stage changes marked. */
export interface ChartPage {
  kind: 'chart';
  history: MetricHistory;
}

/** Two to five versions as columns. */
export interface ColumnsPage {
  kind: 'columns';
  columns: VersionColumns;
}

/** The audit log, newest first: of one model, or of the whole registry when `model` is null. */
export interface LogPage {
  kind: 'log';
  model: string | null;
  events: AuditEvent[];
}

export type PageData = VersionPage | ComparisonPage | ChartPage | ColumnsPage | LogPage | OverviewPage | LineagePage;

export type HostMessage = { type: 'show'; page: PageData } | { type: 'notice'; text: string } | RegistryPageAnswer;

/** What the page asks the extension to do; each names a version the page shows. */
export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'promote'; ref: string }
  | { type: 'setAlias'; ref: string }
  | { type: 'copyUri'; ref: string }
  | { type: 'copyLoadSnippet'; ref: string }
  | { type: 'showManifest'; ref: string }
  | { type: 'showChart'; ref: string }
  | { type: 'revealArtifact'; ref: string; path: string }
  | { type: 'openCommit'; ref: string; commit: string }
  | { type: 'openManifestDiff' }
  | { type: 'requestApproval'; ref: string; stage: Stage }
  | { type: 'overridePromotion'; ref: string; stage: Stage }
  | { type: 'approveRequest'; ref: string; request: string }
  | { type: 'rejectRequest'; ref: string; request: string }
  | RegistryPageRequest;

const REF_ACTIONS = ['promote', 'setAlias', 'copyUri', 'copyLoadSnippet', 'showManifest', 'showChart'] as const;
const MAX_TEXT = 4096;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_TEXT;
}

/** Checks a message from the page; anything else is ignored by the extension. */
export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isRecord(value) || typeof value.type !== 'string') return false;
  if (isRegistryPageRequest(value)) return true;
  const keys = Object.keys(value).sort().join(',');
  switch (value.type) {
    case 'ready':
    case 'openManifestDiff':
      return keys === 'type';
    case 'revealArtifact':
      return keys === 'path,ref,type' && isText(value.ref) && isText(value.path);
    case 'requestApproval':
    case 'overridePromotion':
      return keys === 'ref,stage,type' && isText(value.ref) && isStage(value.stage);
    case 'approveRequest':
    case 'rejectRequest':
      return keys === 'ref,request,type' && isText(value.ref) && typeof value.request === 'string' && /^[\w-]{1,64}$/.test(value.request);
    case 'openCommit':
      return keys === 'commit,ref,type' && isText(value.ref) && typeof value.commit === 'string' && /^[0-9a-f]{7,64}$/.test(value.commit);
    default:
      return (REF_ACTIONS as readonly string[]).includes(value.type) && keys === 'ref,type' && isText(value.ref);
  }
}

/** Checks a message from the extension before the page renders anything from it. */
export function isHostMessage(value: unknown): value is HostMessage {
  if (!isRecord(value)) return false;
  if (value.type === 'notice') return typeof value.text === 'string';
  if (isRegistryPageAnswer(value)) return true;
  if (value.type !== 'show' || !isRecord(value.page)) return false;
  return isPageData(value.page);
}

export function isPageData(page: unknown): page is PageData {
  if (!isRecord(page)) return false;
  if (page.kind === 'overview' || page.kind === 'lineage') return isRegistryPageData(page);
  if (page.kind === 'details') {
    const details = page.details;
    return (
      isRecord(details) &&
      typeof details.model === 'string' &&
      typeof details.number === 'number' &&
      isRecord(details.manifest) &&
      Array.isArray(details.manifest.artifacts) &&
      isRecord(details.manifest.metrics) &&
      isRecord(details.manifest.lineage) &&
      typeof page.uri === 'string' &&
      Array.isArray(page.events) &&
      (page.governance === undefined || isGovernance(page.governance))
    );
  }
  if (page.kind === 'comparison') {
    const comparison = page.comparison;
    return (
      isRecord(comparison) &&
      isRecord(comparison.before) &&
      isRecord(comparison.after) &&
      typeof comparison.before.ref === 'string' &&
      typeof comparison.after.ref === 'string' &&
      ['metrics', 'params', 'artifacts'].every((key) => Array.isArray(comparison[key])) &&
      isRecord(comparison.lineage) &&
      isRecord(comparison.signature) &&
      isRecord(comparison.manifests)
    );
  }
  if (page.kind === 'columns') {
    const columns = page.columns;
    return (
      isRecord(columns) &&
      Array.isArray(columns.versions) &&
      columns.versions.length >= 2 &&
      columns.versions.length <= MAX_COLUMNS &&
      columns.versions.every((version) => isRecord(version) && typeof version.ref === 'string') &&
      (['metrics', 'params', 'artifacts'] as const).every((key) => Array.isArray(columns[key]) && (columns[key] as unknown[]).every((row) => isRecord(row) && Array.isArray(row.values) && row.values.length === (columns.versions as unknown[]).length))
    );
  }
  if (page.kind === 'log') {
    return (
      (page.model === null || typeof page.model === 'string') &&
      Array.isArray(page.events) &&
      page.events.every((event) => isRecord(event) && typeof event.seq === 'number' && typeof event.time === 'string' && typeof event.type === 'string' && typeof event.actor === 'string')
    );
  }
  if (page.kind === 'chart') {
    const history = page.history;
    return (
      isRecord(history) &&
      typeof history.model === 'string' &&
      Array.isArray(history.versions) &&
      history.versions.every((version) => isRecord(version) && typeof version.number === 'number') &&
      Array.isArray(history.metrics) &&
      history.metrics.every((metric) => isRecord(metric) && typeof metric.name === 'string' && Array.isArray(metric.values)) &&
      Array.isArray(history.markers) &&
      history.markers.every((marker) => isRecord(marker) && typeof marker.version === 'number' && typeof marker.label === 'string' && Array.isArray(marker.changes))
    );
  }
  return false;
}

function isGovernance(value: unknown): value is VersionGovernance {
  if (!isRecord(value) || !Array.isArray(value.guards)) return false;
  const guardsFit = value.guards.every(
    (guard) => isRecord(guard) && isStage(guard.stage) && Array.isArray(guard.openRequests) && isRecord(guard.evaluation) && Array.isArray(guard.evaluation.results) && guard.evaluation.results.every(isRecord),
  );
  const recorded = value.recorded;
  return guardsFit && (recorded === null || (isRecord(recorded) && isStage(recorded.stage) && Array.isArray(recorded.results) && recorded.results.every(isRecord)));
}

/** What a version page shows, by reference only: the registry is read again for everything else. */
export type PanelSubject =
  | { kind: 'details'; ref: string }
  | { kind: 'comparison'; before: string; after: string }
  | { kind: 'chart'; model: string }
  | { kind: 'columns'; refs: string[] }
  | { kind: 'log'; model: string | null }
  | { kind: 'overview' }
  | { kind: 'lineage'; subject: string };

/**
 * The subject of a page from the state it saved, when VS Code restores the page after a reload.
 * The state is whatever the page last stored, so only the references are taken from it, and only
 * in their exact `name/number` form; undefined when it names nothing usable.
 */
export function subjectFromSavedState(state: unknown): PanelSubject | undefined {
  if (!isRecord(state) || !isRecord(state.page)) return undefined;
  const page = state.page;
  const exactRef = (value: unknown): string | undefined => {
    if (typeof value !== 'string' || value.length > 256) return undefined;
    try {
      const ref = parseRef(value);
      return ref.selector.kind === 'number' && formatRef(ref.model, ref.selector.number) === value ? value : undefined;
    } catch {
      return undefined;
    }
  };
  switch (page.kind) {
    case 'details': {
      const details = page.details;
      if (!isRecord(details) || typeof details.model !== 'string' || typeof details.number !== 'number') return undefined;
      const ref = exactRef(`${details.model}/${details.number}`);
      return ref ? { kind: 'details', ref } : undefined;
    }
    case 'comparison': {
      const comparison = page.comparison;
      if (!isRecord(comparison) || !isRecord(comparison.before) || !isRecord(comparison.after)) return undefined;
      const [before, after] = [exactRef(comparison.before.ref), exactRef(comparison.after.ref)];
      return before && after ? { kind: 'comparison', before, after } : undefined;
    }
    case 'chart': {
      const model = isRecord(page.history) ? page.history.model : undefined;
      return typeof model === 'string' && !modelNameProblem(model) ? { kind: 'chart', model } : undefined;
    }
    case 'log': {
      if (page.model === null) return { kind: 'log', model: null };
      return typeof page.model === 'string' && !modelNameProblem(page.model) ? { kind: 'log', model: page.model } : undefined;
    }
    case 'columns': {
      const versions = isRecord(page.columns) ? page.columns.versions : undefined;
      if (!Array.isArray(versions) || versions.length < 2 || versions.length > MAX_COLUMNS) return undefined;
      const refs = versions.map((version: unknown) => (isRecord(version) ? exactRef(version.ref) : undefined));
      return refs.every((ref) => ref !== undefined) ? { kind: 'columns', refs: refs as string[] } : undefined;
    }
    case 'overview':
      return { kind: 'overview' };
    case 'lineage': {
      // The lineage subject is looked up again, so a stale or forged one shows an error, not a graph.
      const subject = isRecord(page.graph) ? page.graph.subject : undefined;
      return typeof subject === 'string' && subject.length > 0 && subject.length <= 4096 ? { kind: 'lineage', subject } : undefined;
    }
    default:
      return undefined;
  }
}
