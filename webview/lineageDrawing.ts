import type { LineageNode } from '../src/core/lineageGraph';
import { LABEL_CHARACTERS, type LineageLayout, type PlacedNode } from './lineageLayout';

const SVG = 'http://www.w3.org/2000/svg';
/** Beyond this many nodes the drawing is not shrunk to the page's width (its text would be too small to read). */
const LARGE_GRAPH = 40;
const MARGIN = 12;

/** An SVG element with attributes; text content, when given, is always text. */
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

const KIND_NAMES: Record<LineageNode['kind'], string> = { version: 'version', data: 'data', commit: 'commit', stage: 'stage', alias: 'alias', more: 'more versions' };

/** What a screen reader says on a node: kind, full label, detail, and the marks the drawing shows by colour. */
export function accessibleName(node: LineageNode): string {
  // A commit's label already says "commit".
  const name = node.kind === 'commit' && node.commit ? node.commit.slice(0, 10) : node.label;
  const parts = [`${KIND_NAMES[node.kind]} ${name}`, node.detail];
  if (node.sharedBy) parts.push(`shared by ${node.sharedBy.join(', ')}`);
  if (node.feedsProduction) parts.push('Production depends on it');
  if (node.root) parts.push('start');
  return parts.filter(Boolean).join(', ');
}

function shortLabel(label: string): string {
  return label.length > LABEL_CHARACTERS ? `${label.slice(0, LABEL_CHARACTERS - 1)}…` : label;
}

/**
 * The laid-out graph as SVG: a focusable group per node (class names carry kind and marks, the
 * stylesheet gives them the theme's colours), an arrowed path per edge. Returns the node groups
 * by id for keyboard navigation.
 */
export function drawLineage(layout: LineageLayout): { element: SVGSVGElement; nodes: Map<string, SVGGElement> } {
  // Edges may bend a little outside the nodes' box: a margin keeps their arrows in the drawing.
  const width = Math.max(layout.width, 200) + 2 * MARGIN;
  const height = Math.max(layout.height, 60) + 2 * MARGIN;
  const root = svg('svg', { class: `lineage-graph${layout.nodes.length > LARGE_GRAPH ? ' large' : ''}`, width, height, viewBox: `${-MARGIN} ${-MARGIN} ${width} ${height}`, role: 'group', 'aria-label': 'Lineage graph: Tab or the arrow keys move between nodes, Enter opens the one in focus' });
  const defs = svg('defs', {});
  for (const [id, kind] of [['arrow', 'plain'], ['arrow-production', 'production']]) {
    const marker = svg('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.appendChild(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `arrowhead ${kind}` }));
    defs.appendChild(marker);
  }
  root.appendChild(defs);

  const edges = svg('g', { class: 'edges', 'aria-hidden': 'true' });
  for (const { edge, points } of layout.edges) {
    if (points.length === 0) continue;
    const d = points.map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x.toFixed(1)} ${point.y.toFixed(1)}`).join(' ');
    const path = svg('path', { d, class: `edge edge-${edge.kind}${edge.feedsProduction ? ' feeds-production' : ''}`, 'marker-end': `url(#${edge.feedsProduction ? 'arrow-production' : 'arrow'})`, 'data-from': edge.from, 'data-to': edge.to });
    path.appendChild(svg('title', {}, edge.label));
    edges.appendChild(path);
  }
  root.appendChild(edges);

  const nodes = new Map<string, SVGGElement>();
  const layer = svg('g', { class: 'nodes' });
  // Tab follows the drawing: left to right, then top to bottom.
  const ordered = [...layout.nodes].sort((a, b) => a.x - b.x || a.y - b.y);
  for (const placed of ordered) layer.appendChild(nodeGroup(placed, nodes));
  root.appendChild(layer);
  return { element: root, nodes };
}

function nodeGroup(placed: PlacedNode, nodes: Map<string, SVGGElement>): SVGGElement {
  const { node } = placed;
  const classes = ['node', `node-${node.kind}`, node.stage ? `stage-${node.stage.toLowerCase()}` : '', node.feedsProduction ? 'feeds-production' : '', node.root ? 'root' : '', node.sharedBy ? 'shared' : ''];
  const group = svg('g', { class: classes.filter(Boolean).join(' '), transform: `translate(${placed.x.toFixed(1)} ${placed.y.toFixed(1)})`, tabindex: 0, role: 'button', 'aria-label': accessibleName(node), 'data-id': node.id });
  group.appendChild(svg('rect', { width: placed.width, height: placed.height, rx: node.kind === 'data' ? 10 : node.kind === 'stage' || node.kind === 'alias' ? placed.height / 2 : 3 }));
  const marks = `${node.feedsProduction ? '★ ' : ''}${node.sharedBy ? '⇉ ' : ''}`;
  group.appendChild(svg('text', { x: 10, y: 18, class: 'node-label' }, `${marks}${shortLabel(node.label)}`));
  const detail = node.sharedBy ? `${node.detail} · ${node.sharedBy.length} models` : node.detail;
  group.appendChild(svg('text', { x: 10, y: 35, class: 'node-detail' }, shortLabel(detail)));
  group.appendChild(svg('title', {}, accessibleName(node)));
  nodes.set(node.id, group);
  return group;
}
