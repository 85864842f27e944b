import type { LineageGraph } from '../../core/lineageGraph';
import type { OverviewRow } from '../../core/registryOverview';
import type { QueryVocabulary } from '../../core/search/versionSearch';
import type { Stage } from '../../core/stage';

/**
 * The messages of the registry-wide pages (the overview table and the lineage graph), part of the
 * one protocol in protocol.ts, which unions them in. No vscode here: the webview bundle checks the
 * same shapes. These pages act on any version of the registry, so the extension checks each
 * reference against the registry (the commands it runs do), not against what the page shows.
 */

/** Every model as a row. The query vocabulary follows in its own message (gathering it scans the versions), so the rows show first. */
export interface OverviewPage {
  kind: 'overview';
  rows: OverviewRow[];
}

export interface LineagePage {
  kind: 'lineage';
  graph: LineageGraph;
}

/** A version as the overview lists it under its model. */
export interface OverviewVersionLine {
  ref: string;
  number: number;
  semver: string | null;
  stage: Stage;
  aliases: string[];
  createdAt: string;
  createdBy: string;
}

/** What the extension answers to the overview's requests. */
export type RegistryPageAnswer =
  | { type: 'overviewVersions'; model: string; versions: OverviewVersionLine[] }
  /** What the filter box completes (field names and known values), for completing in the page without asking. */
  | { type: 'overviewVocabulary'; vocabulary: QueryVocabulary }
  | {
      type: 'overviewFiltered';
      text: string;
      /** 'all' for an empty filter; a query names versions, text names models. */
      kind: 'all' | 'text' | 'query';
      /** Model → the matching versions' numbers (empty for a text match of the whole model); null: every model. */
      matches: Record<string, number[]> | null;
      /** Why the text is not a query, when it looks like one was meant. */
      problem?: string;
      /** The query found more versions than are listed. */
      truncated?: boolean;
    };

/** What the overview and lineage pages ask of the extension. */
export type RegistryPageRequest =
  | { type: 'filterOverview'; text: string }
  | { type: 'expandModel'; model: string }
  | { type: 'openVersion'; ref: string }
  | { type: 'compareVersions'; before: string; after: string }
  | { type: 'showLineage'; subject: string };

const MAX_TEXT = 4096;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isText(value: unknown, allowEmpty = false): value is string {
  return typeof value === 'string' && (allowEmpty || value.length > 0) && value.length <= MAX_TEXT;
}

export function isRegistryPageRequest(value: unknown): value is RegistryPageRequest {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value).sort().join(',');
  switch (value.type) {
    case 'filterOverview':
      return keys === 'text,type' && isText(value.text, true);
    case 'expandModel':
      return keys === 'model,type' && isText(value.model);
    case 'openVersion':
      return keys === 'ref,type' && isText(value.ref);
    case 'compareVersions':
      return keys === 'after,before,type' && isText(value.before) && isText(value.after);
    case 'showLineage':
      return keys === 'subject,type' && isText(value.subject);
    default:
      return false;
  }
}

export function isRegistryPageAnswer(value: unknown): value is RegistryPageAnswer {
  if (!isRecord(value)) return false;
  if (value.type === 'overviewVersions') {
    return typeof value.model === 'string' && Array.isArray(value.versions) && value.versions.every((line) => isRecord(line) && typeof line.ref === 'string' && typeof line.number === 'number' && Array.isArray(line.aliases));
  }
  if (value.type === 'overviewVocabulary') {
    const { vocabulary } = value;
    return isRecord(vocabulary) && Object.values(vocabulary).every((words) => Array.isArray(words) && words.every((word) => typeof word === 'string'));
  }
  if (value.type === 'overviewFiltered') {
    const { matches } = value;
    return (
      typeof value.text === 'string' &&
      ['all', 'text', 'query'].includes(value.kind as string) &&
      (matches === null || (isRecord(matches) && Object.values(matches).every((numbers) => Array.isArray(numbers) && numbers.every((number) => typeof number === 'number'))))
    );
  }
  return false;
}

export function isRegistryPageData(page: Record<string, unknown>): boolean {
  if (page.kind === 'overview') {
    return (
      Array.isArray(page.rows) &&
      page.rows.every((row) => isRecord(row) && typeof row.model === 'string' && typeof row.versionCount === 'number' && Array.isArray(row.metrics))
    );
  }
  if (page.kind === 'lineage') {
    const graph = page.graph;
    return (
      isRecord(graph) &&
      typeof graph.subject === 'string' &&
      Array.isArray(graph.nodes) &&
      graph.nodes.every((node) => isRecord(node) && typeof node.id === 'string' && typeof node.kind === 'string' && typeof node.label === 'string') &&
      Array.isArray(graph.edges) &&
      graph.edges.every((edge) => isRecord(edge) && typeof edge.from === 'string' && typeof edge.to === 'string' && typeof edge.label === 'string')
    );
  }
  return false;
}
