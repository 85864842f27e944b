import type { LineageGraph, LineageNode } from './lineageGraph';

/** How a node is named in sentences: its label, and its kind where the label does not say it. */
export function nodeName(node: LineageNode): string {
  switch (node.kind) {
    case 'data':
      return `data ${node.label}`;
    case 'commit':
      return node.commit ? node.commit.slice(0, 10) : node.label;
    case 'stage':
    case 'alias':
    case 'version':
    case 'more':
      return node.label;
  }
}

/**
 * The graph as text a person (or a screen reader) follows: each version with what it was trained on,
 * built from and what points at it, then each data entry with who trained on or produced it. The
 * same sentences serve `mreg lineage` and the page's text fallback.
 */
export function lineageSentences(graph: LineageGraph): { node: LineageNode; lines: string[] }[] {
  const byId = new Map(graph.nodes.map((node) => [node.id, node]));
  const name = (id: string) => {
    const node = byId.get(id);
    return node ? nodeName(node) : id;
  };
  const order: LineageNode['kind'][] = ['version', 'data', 'commit', 'more'];
  const described = graph.nodes.filter((node) => order.includes(node.kind)).sort((a, b) => Number(b.root) - Number(a.root) || order.indexOf(a.kind) - order.indexOf(b.kind));
  return described.map((node) => {
    const lines: string[] = [];
    for (const edge of graph.edges) {
      if (node.kind === 'version') {
        if (edge.to === node.id && edge.kind !== 'produced') lines.push(`${edge.label} ${name(edge.from)}`);
        if (edge.from === node.id) lines.push(edge.kind === 'produced' ? `produced ${name(edge.to)}` : `${edge.label} ${name(edge.to).replace(/ · \w+$/, '').replace(/@\w[\w.-]*$/, '')}`.trim());
      } else if (node.kind === 'data') {
        if (edge.from === node.id && edge.kind === 'trainedOn') lines.push(`trained ${name(edge.to)}`);
        if (edge.from === node.id && edge.kind === 'more') lines.push(`and ${name(edge.to)}`);
        if (edge.to === node.id && edge.kind === 'produced') lines.push(`produced by ${name(edge.from)}`);
      } else if (node.kind === 'commit') {
        if (edge.from === node.id && edge.kind === 'builtFrom') lines.push(`built ${name(edge.to)}`);
        if (edge.from === node.id && edge.kind === 'more') lines.push(`and ${name(edge.to)}`);
      }
    }
    if (node.sharedBy) lines.push(`shared by ${node.sharedBy.length} models: ${node.sharedBy.join(', ')}`);
    return { node, lines };
  });
}

export function lineageText(graph: LineageGraph): string {
  const out = [`Lineage of ${graph.subject}: ${graph.nodes.length} nodes, ${graph.edges.length} edges${graph.truncated ? ' (stopped at the node limit; start from a node further out to see more)' : ''}`];
  if (graph.nodes.length === 0) return `${out[0]}\nNothing recorded.`;
  for (const { node, lines } of lineageSentences(graph)) {
    const marks = [node.root ? 'start' : '', node.feedsProduction ? 'Production depends on it' : ''].filter(Boolean);
    const detail = node.detail ? `  (${node.detail})` : '';
    out.push('', `${nodeName(node)}${detail}${marks.length ? `  [${marks.join('; ')}]` : ''}`);
    for (const line of lines) out.push(`  ${line}`);
  }
  return out.join('\n');
}
