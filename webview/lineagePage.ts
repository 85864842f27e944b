import type { LineageGraph, LineageNode } from '../src/core/lineageGraph';
import { lineageSentences, nodeName } from '../src/core/lineageReport';
import type { WebviewMessage } from '../src/extension/webviews/protocol';
import type { LineagePage } from '../src/extension/webviews/registryPagesProtocol';
import { el, section, table } from './dom';
import { accessibleName, drawLineage } from './lineageDrawing';
import { layOutLineage, type PlacedNode } from './lineageLayout';
import { button, setEnabled } from './uiComponents';

/**
 * The Lineage Graph: data, commits, versions and their stages laid out left to right; ★ marks what
 * Production depends on, ⇉ data shared between models. Tab and the arrow keys move between nodes
 * (→ along the edges downstream, ← upstream, ↑ ↓ within a column), Enter opens a version's details
 * or starts the graph again from a data entry or a collapsed "+N versions". Below, the same graph
 * as a table, for screen readers and for reading.
 */
export function renderLineage(page: LineagePage, post: (message: WebviewMessage) => void): HTMLElement {
  const { graph } = page;
  const placed = layOutLineage(graph);
  const { element: drawing, nodes: groups } = drawLineage(placed);
  const byId = new Map(placed.nodes.map((item) => [item.node.id, item]));
  let focused: string | undefined = graph.nodes.find((node) => node.root)?.id ?? graph.nodes[0]?.id;

  const selectedName = el('p', { class: 'selected-node', attrs: { id: 'lineage-selected', 'aria-live': 'polite' } });
  const openButton = button('Open Details', () => focused && primary(focused, 'details'));
  openButton.id = 'lineage-open';
  const fromHere = button('Lineage From Here', () => focused && primary(focused, 'lineage'), true);
  fromHere.id = 'lineage-from-here';

  function versionOf(id: string): string | undefined {
    const node = byId.get(id)?.node;
    if (node?.kind === 'version') return node.ref;
    // A stage or alias opens the version pointing at it.
    const into = graph.edges.find((edge) => edge.to === id && (edge.kind === 'stage' || edge.kind === 'alias'));
    return into ? byId.get(into.from)?.node.ref : undefined;
  }

  function primary(id: string, wanted?: 'details' | 'lineage'): void {
    const node = byId.get(id)?.node;
    if (!node) return;
    const ref = versionOf(id);
    if (wanted !== 'lineage' && ref) post({ type: 'openVersion', ref });
    else if (node.subject) post({ type: 'showLineage', subject: node.subject });
    else if (ref) post({ type: 'showLineage', subject: ref });
  }

  function focus(id: string | undefined, move = true): void {
    if (!id) return;
    const previous = focused ? groups.get(focused) : undefined;
    previous?.classList.remove('focused');
    focused = id;
    const group = groups.get(id);
    group?.classList.add('focused');
    if (move) group?.focus();
    const node = byId.get(id)?.node;
    selectedName.textContent = node ? accessibleName(node) : '';
    setEnabled(openButton, versionOf(id) !== undefined);
    setEnabled(fromHere, node?.subject !== undefined || versionOf(id) !== undefined);
  }

  for (const [id, group] of groups) {
    group.addEventListener('focus', () => focus(id, false));
    group.addEventListener('click', () => focus(id));
    group.addEventListener('dblclick', () => primary(id));
  }
  drawing.addEventListener('keydown', (event) => {
    if (!focused) return;
    const next = event.key === 'Enter' || event.key === ' ' ? 'open' : neighbour(graph, byId, focused, event.key);
    if (next === undefined) return;
    event.preventDefault();
    if (next === 'open') primary(focused);
    else focus(next);
  });

  const shared = graph.nodes.filter((node) => node.sharedBy).length;
  const summary = [
    `${graph.nodes.length} nodes, ${graph.edges.length} edges.`,
    graph.nodes.some((node) => node.feedsProduction) ? '★ marks what Production depends on.' : 'Nothing here is in Production.',
    shared ? `⇉ ${shared} data entr${shared === 1 ? 'y is' : 'ies are'} shared between models.` : '',
    graph.truncated ? 'The graph stopped at its node limit: start from a node further out to see beyond it.' : '',
  ].filter(Boolean);
  const element = el(
    'div',
    { class: 'page lineage', attrs: { 'data-page': `lineage:${graph.subject}` } },
    el('h1', null, `Lineage of ${graph.subject}`),
    el('p', { class: 'muted' }, summary.join(' ')),
    legend(),
    el('div', { class: 'lineage-toolbar' }, selectedName, el('div', { class: 'actions' }, openButton, fromHere)),
    graph.nodes.length === 0 ? el('p', { class: 'muted' }, 'Nothing recorded.') : el('div', { class: 'lineage-scroll' }, drawing),
    textFallback(graph),
  );
  focus(focused, false);
  return element;
}

function legend(): HTMLElement {
  const item = (className: string, text: string) => el('li', null, el('span', { class: `swatch ${className}`, attrs: { 'aria-hidden': 'true' } }), text);
  return el(
    'ul',
    { class: 'lineage-legend', attrs: { 'aria-label': 'Legend' } },
    item('node-data', 'data (trained on →)'),
    item('node-commit', 'commit (built from commit →)'),
    item('node-version', 'version'),
    item('node-stage', 'stage or alias (→ is Production of)'),
    item('feeds-production', '★ Production depends on it'),
  );
}

/** The node an arrow key leads to: along an edge for → and ←, the nearest in the same column for ↑ and ↓. */
function neighbour(graph: LineageGraph, byId: Map<string, PlacedNode>, from: string, key: string): string | undefined {
  const here = byId.get(from);
  if (!here) return undefined;
  const centre = (item: PlacedNode) => ({ x: item.x + item.width / 2, y: item.y + item.height / 2 });
  const at = centre(here);
  const closest = (ids: string[]) =>
    ids
      .map((id) => byId.get(id))
      .filter((item): item is PlacedNode => item !== undefined)
      .sort((a, b) => Math.abs(centre(a).y - at.y) - Math.abs(centre(b).y - at.y) || centre(a).x - centre(b).x)[0]?.node.id;
  if (key === 'ArrowRight' || key === 'ArrowLeft') {
    const right = key === 'ArrowRight';
    const along = graph.edges.filter((edge) => (right ? edge.from === from : edge.to === from)).map((edge) => (right ? edge.to : edge.from));
    if (along.length > 0) return closest(along);
    const beyond = [...byId.values()].filter((item) => (right ? centre(item).x > at.x + 1 : centre(item).x < at.x - 1)).map((item) => item.node.id);
    return closest(beyond);
  }
  if (key === 'ArrowDown' || key === 'ArrowUp') {
    const down = key === 'ArrowDown';
    const column = [...byId.values()].filter((item) => Math.abs(centre(item).x - at.x) < here.width / 2 + 1 && (down ? centre(item).y > at.y : centre(item).y < at.y));
    return column.sort((a, b) => Math.abs(centre(a).y - at.y) - Math.abs(centre(b).y - at.y))[0]?.node.id;
  }
  if (key === 'Home') return graph.nodes.find((node) => node.root)?.id;
  return undefined;
}

/** The graph as a table: each version, data entry and commit with its relations in words. */
function textFallback(graph: LineageGraph): HTMLElement {
  const rows = lineageSentences(graph);
  const kind = (node: LineageNode) => (node.kind === 'more' ? 'more versions' : node.kind);
  return section(
    'The graph as text',
    table(
      ['Node', 'Kind', 'Relations', 'Production depends on it'],
      rows,
      ({ node, lines }) => [nodeName(node) + (node.detail ? ` (${node.detail})` : ''), kind(node), lines.length === 0 ? '—' : el('ul', { class: 'relations' }, ...lines.map((line) => el('li', null, line))), node.feedsProduction ? 'yes' : ''],
      'lineage-text',
    ),
  );
}
