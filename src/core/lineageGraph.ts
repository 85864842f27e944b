import { dataKeyOf, type BoundedVersions, type DataKey, type LineageDataRow, type LineageQueries, type LineageVersionRow } from './lineageQueries';
import { formatRef } from './refs';
import type { Stage } from './stage';

/**
 * The lineage graph: data entries, commits, versions and the stages and aliases pointing at them.
 * Edges run the way things flow — data and commits into versions, versions into their stages and
 * into the data their artifacts became — so a left-to-right layout reads dataset → version → stage.
 */
export type LineageNodeKind = 'version' | 'data' | 'commit' | 'stage' | 'alias' | 'more';
export type LineageEdgeKind = 'trainedOn' | 'builtFrom' | 'stage' | 'alias' | 'produced' | 'more';

export interface LineageNode {
  id: string;
  kind: LineageNodeKind;
  label: string;
  /** A second line: hash, branch, stage … */
  detail: string;
  /** Versions: `model/number`. */
  ref?: string;
  stage?: Stage;
  /** Data: its URI, content hash and DVC md5, as recorded. */
  data?: LineageDataRow;
  commit?: string;
  /** Collapsed fan-outs: how many versions are not drawn. */
  hidden?: number;
  /** What a lineage page opened on this node would start from (`data:sha256:…`, a ref): data and collapsed nodes. */
  subject?: string;
  /** Data: the models trained on it, when more than one (shared data). */
  sharedBy?: string[];
  /** On the path into a Production version: what Production depends on. */
  feedsProduction: boolean;
  /** The node the graph was started from. */
  root: boolean;
}

export interface LineageEdge {
  from: string;
  to: string;
  kind: LineageEdgeKind;
  /** The relation as words, read from the version's side: "trained on", "built from commit", "is Production of". */
  label: string;
  feedsProduction: boolean;
}

export interface LineageGraph {
  /** What the graph was started from, as given. */
  subject: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** True when MAX_NODES stopped the expansion: some neighbours are not drawn and not counted. */
  truncated: boolean;
}

/** Where a graph starts: a version, a whole model, or a data entry. */
export type LineageStart = { kind: 'version'; model: string; number: number } | { kind: 'model'; model: string } | { kind: 'data'; data: LineageDataRow };

export interface LineageOptions {
  /** Versions drawn per shared data entry, commit or model before the rest collapse into "+N versions" (default 6). */
  fanOut?: number;
  /** How far from the start shared data and commits are followed (default 3 steps: start → data → its other versions). */
  depth?: number;
}

export const DEFAULT_FAN_OUT = 6;
export const DEFAULT_DEPTH = 3;
/** A graph a person can read, and a page can draw at once; beyond it the expansion stops. */
export const MAX_NODES = 400;
const SHARED_MODELS_SHOWN = 10;

export function dataNodeId(key: DataKey): string {
  return `data:${key.by}:${key.value}`;
}

export function versionNodeId(model: string, number: number): string {
  return `version:${formatRef(model, number)}`;
}

/** Builds the graph outward from `start`, breadth first, each fan-out bounded. */
export function buildLineageGraph(queries: LineageQueries, subject: string, start: LineageStart, options: LineageOptions = {}): LineageGraph {
  return new GraphBuilder(queries, subject, options).build(start);
}

class GraphBuilder {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, LineageEdge>();
  private readonly queue: { id: string; depth: number; expand: () => void }[] = [];
  private readonly fanOut: number;
  private readonly depth: number;
  private truncated = false;

  constructor(
    private readonly queries: LineageQueries,
    private readonly subject: string,
    options: LineageOptions,
  ) {
    this.fanOut = Math.max(1, options.fanOut ?? DEFAULT_FAN_OUT);
    this.depth = Math.max(1, options.depth ?? DEFAULT_DEPTH);
  }

  build(start: LineageStart): LineageGraph {
    if (start.kind === 'version') {
      const row = this.queries.version(start.model, start.number);
      if (row) this.markRoot(this.addVersion(row, 0));
    } else if (start.kind === 'model') {
      const versions = this.queries.versionsOfModel(start.model, this.fanOut);
      for (const row of versions.shown) this.markRoot(this.addVersion(row, 0));
      this.addMore(`model:${start.model}`, versions, start.model, undefined);
    } else {
      this.markRoot(this.addData(start.data, 1));
    }
    while (this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (this.nodes.size >= MAX_NODES) {
        this.truncated = true;
        break;
      }
      next.expand();
    }
    markProductionInputs(this.nodes, this.edges);
    return { subject: this.subject, nodes: [...this.nodes.values()], edges: [...this.edges.values()], truncated: this.truncated };
  }

  private markRoot(id: string): void {
    const node = this.nodes.get(id);
    if (node) node.root = true;
  }

  /** A version with what always comes with it: its stage, aliases, commit and data, its outputs. */
  private addVersion(row: LineageVersionRow, depth: number): string {
    const ref = formatRef(row.model, row.number);
    const id = versionNodeId(row.model, row.number);
    if (this.nodes.has(id)) return id;
    const labels = [row.semver ? `v${row.semver.replace(/^v/, '')}` : '', row.stage === 'None' ? '' : row.stage, ...row.aliases.map((alias) => `@${alias}`)].filter(Boolean);
    this.nodes.set(id, { id, kind: 'version', label: ref, detail: labels.join(' · '), ref, stage: row.stage, feedsProduction: false, root: false });
    if (row.stage !== 'None') {
      const stageId = `stage:${row.model}/${row.stage}`;
      this.addNode({ id: stageId, kind: 'stage', label: `${row.model} · ${row.stage}`, detail: 'stage', stage: row.stage, feedsProduction: false, root: false });
      this.addEdge(id, stageId, 'stage', `is ${row.stage} of`);
    }
    for (const alias of row.aliases) {
      const aliasId = `alias:${row.model}/${alias}`;
      this.addNode({ id: aliasId, kind: 'alias', label: `${row.model}@${alias}`, detail: 'alias', feedsProduction: false, root: false });
      this.addEdge(id, aliasId, 'alias', `is @${alias} of`);
    }
    if (row.commit) {
      const commitId = this.addCommit(row.commit, row.branch, depth + 1);
      this.addEdge(commitId, id, 'builtFrom', 'built from commit');
    }
    for (const data of this.queries.dataOf(row.id)) this.addEdge(this.addData(data, depth + 1), id, 'trainedOn', 'trained on');
    for (const output of this.queries.outputsOf(row.id)) this.addEdge(id, this.addData(output, depth + 1), 'produced', 'produced');
    return id;
  }

  private addData(data: LineageDataRow, depth: number): string {
    const key = dataKeyOf(data);
    const id = dataNodeId(key);
    if (this.nodes.has(id)) return id;
    const hash = data.sha256 ? `sha256 ${data.sha256.slice(0, 12)}` : data.md5 ? `md5 ${data.md5.slice(0, 12)}` : 'no content hash';
    const models = this.queries.modelsTrainedOn(key, SHARED_MODELS_SHOWN + 1);
    this.nodes.set(id, {
      id,
      kind: 'data',
      label: data.uri,
      detail: hash,
      data,
      subject: `data:${key.by}:${key.value}`,
      sharedBy: models.length > 1 ? models.slice(0, SHARED_MODELS_SHOWN) : undefined,
      feedsProduction: false,
      root: false,
    });
    if (depth < this.depth) {
      this.queue.push({
        id,
        depth,
        expand: () => {
          const users = this.queries.versionsTrainedOn(key, this.fanOut);
          for (const row of users.shown) this.addEdge(id, this.addVersion(row, depth + 1), 'trainedOn', 'trained on');
          this.addMore(id, users, undefined, id);
          if (!data.sha256) return;
          const producers = this.queries.versionsProducing(data.sha256, this.fanOut);
          for (const row of producers.shown) this.addEdge(this.addVersion(row, depth + 1), id, 'produced', 'produced');
        },
      });
    }
    return id;
  }

  private addCommit(commit: string, branch: string | null, depth: number): string {
    const id = `commit:${commit}`;
    if (this.nodes.has(id)) return id;
    this.nodes.set(id, { id, kind: 'commit', label: `commit ${commit.slice(0, 10)}`, detail: branch ?? '', commit, feedsProduction: false, root: false });
    if (depth < this.depth) {
      this.queue.push({
        id,
        depth,
        expand: () => {
          const built = this.queries.versionsBuiltFrom(commit, this.fanOut);
          for (const row of built.shown) this.addEdge(id, this.addVersion(row, depth + 1), 'builtFrom', 'built from commit');
          this.addMore(id, built, undefined, id);
        },
      });
    }
    return id;
  }

  /** "+N versions" for the part of a fan-out not drawn; `subject` is where a page can show them all. */
  private addMore(parent: string, versions: BoundedVersions, model: string | undefined, from: string | undefined): void {
    const hidden = versions.total - versions.shown.length;
    if (hidden <= 0) return;
    const id = `more:${parent}`;
    const parentNode = this.nodes.get(parent);
    this.addNode({
      id,
      kind: 'more',
      label: `+${hidden} version${hidden === 1 ? '' : 's'}`,
      detail: model ? `of ${model}` : `of ${parentNode?.label ?? parent}`,
      hidden,
      subject: model ?? parentNode?.subject,
      feedsProduction: false,
      root: false,
    });
    if (from) this.addEdge(from, id, 'more', `${hidden} more`);
  }

  private addNode(node: LineageNode): void {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
  }

  private addEdge(from: string, to: string, kind: LineageEdgeKind, label: string): void {
    const key = `${from}→${to}`;
    if (!this.edges.has(key)) this.edges.set(key, { from, to, kind, label, feedsProduction: false });
  }
}

/**
 * Marks everything a Production version depends on: the version, its stage node, and every node
 * upstream of it along the edges (its data, commits, and the versions whose output that data is).
 */
function markProductionInputs(nodes: Map<string, LineageNode>, edges: Map<string, LineageEdge>): void {
  const incoming = new Map<string, LineageEdge[]>();
  for (const edge of edges.values()) incoming.set(edge.to, [...(incoming.get(edge.to) ?? []), edge]);
  const pending = [...nodes.values()].filter((node) => node.kind === 'version' && node.stage === 'Production').map((node) => node.id);
  for (const id of pending) {
    for (const edge of edges.values()) if (edge.from === id && edge.kind === 'stage') {
      edge.feedsProduction = true;
      nodes.get(edge.to)!.feedsProduction = true;
    }
  }
  const seen = new Set<string>();
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    nodes.get(id)!.feedsProduction = true;
    for (const edge of incoming.get(id) ?? []) {
      if (edge.kind === 'more') continue;
      edge.feedsProduction = true;
      pending.push(edge.from);
    }
  }
}
