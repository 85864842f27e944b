import { graphlib, layout } from '@dagrejs/dagre';
import type { LineageEdge, LineageGraph, LineageNode } from '../src/core/lineageGraph';

export interface PlacedNode {
  node: LineageNode;
  /** Top-left corner and size, in the drawing's pixels. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: LineageEdge;
  points: { x: number; y: number }[];
}

export interface LineageLayout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

export const NODE_HEIGHT = 44;
/** Characters a node's first line shows before it is cut with "…" (the whole label is in its accessible name). */
export const LABEL_CHARACTERS = 34;
const CHARACTER_WIDTH = 7.6;

/**
 * Places the graph left to right with dagre: a layered (Sugiyama) layout, synchronous and small,
 * that ranks data and commits before the versions trained on and built from them, and those before
 * their stages, as lineage reads. Node widths follow their text, so labels fit their boxes.
 */
export function layOutLineage(graph: LineageGraph): LineageLayout {
  const layered = new graphlib.Graph({ multigraph: false });
  layered.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, marginx: 8, marginy: 8 });
  layered.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    // The first line also carries ★ and ⇉ marks (two characters each).
    const marks = (node.feedsProduction ? 2 : 0) + (node.sharedBy ? 2 : 0);
    const characters = Math.max(Math.min(node.label.length, LABEL_CHARACTERS) + marks, Math.min(node.detail.length + (node.sharedBy ? 11 : 0), LABEL_CHARACTERS) * 0.9, 10);
    layered.setNode(node.id, { width: Math.round(characters * CHARACTER_WIDTH + 28), height: NODE_HEIGHT });
  }
  for (const edge of graph.edges) if (layered.hasNode(edge.from) && layered.hasNode(edge.to)) layered.setEdge(edge.from, edge.to);
  layout(layered);
  const nodes = graph.nodes.map((node) => {
    const placed = layered.node(node.id) as { x: number; y: number; width: number; height: number };
    return { node, x: placed.x - placed.width / 2, y: placed.y - placed.height / 2, width: placed.width, height: placed.height };
  });
  const edges = graph.edges
    .filter((edge) => layered.hasEdge(edge.from, edge.to))
    .map((edge) => ({ edge, points: ((layered.edge(edge.from, edge.to) as { points?: { x: number; y: number }[] }).points ?? []).map((point) => ({ x: point.x, y: point.y })) }));
  const size = layered.graph() as { width?: number; height?: number };
  return { nodes, edges, width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0) };
}
