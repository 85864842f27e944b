import assert from 'node:assert/strict';
import path from 'node:path';
import madge from 'madge';

/**
 * The folders of src/ from the top down: a file may import its own folder and the folders below it,
 * never one above (DESIGN.md, "Layers"). The entry points (index.ts, the library) sit on top.
 */
const LAYERS = ['index.ts', 'extension', 'cli', 'serve', 'sync', 'registry', 'lineage', 'formats', 'store', 'core'] as const;
/** The CLI and the extension are siblings: neither may import the other. */
const SIBLINGS = new Set(['extension>cli', 'cli>extension']);

const srcRoot = path.resolve(__dirname, '../../../src');

async function importGraph(): Promise<Record<string, string[]>> {
  const result = await madge(srcRoot, {
    fileExtensions: ['ts'],
    tsConfig: path.resolve(srcRoot, '../tsconfig.json'),
    // Type-only imports count: they become value imports the day someone needs one.
    detectiveOptions: { ts: { skipTypeImports: false }, tsx: { skipTypeImports: false } },
  });
  return result.obj();
}

function layerOf(file: string): (typeof LAYERS)[number] {
  const top = file.split('/')[0];
  const layer = LAYERS.find((name) => name === top);
  if (!layer) throw new Error(`src/${file} is in no layer; add its folder to LAYERS in this test and to DESIGN.md`);
  return layer;
}

describe('source layers', () => {
  let graph: Record<string, string[]>;
  before(async function () {
    this.timeout(120_000);
    graph = await importGraph();
  });

  it('sees every source file', () => {
    assert.ok(Object.keys(graph).length > 100, `madge found only ${Object.keys(graph).length} files`);
    assert.ok(graph['registry/registry.ts']?.includes('core/events.ts'), 'the graph misses a known import');
  });

  it('imports only point down the layers', () => {
    const upward: string[] = [];
    for (const [file, imports] of Object.entries(graph)) {
      const from = layerOf(file);
      for (const imported of imports) {
        const to = layerOf(imported);
        if (SIBLINGS.has(`${from}>${to}`) || LAYERS.indexOf(to) < LAYERS.indexOf(from)) upward.push(`src/${file} imports src/${imported}`);
      }
    }
    assert.deepEqual(upward, [], `imports against the layer order ${LAYERS.join(' > ')}`);
  });

  it('has no import cycle, type-only imports included', () => {
    const cycles: string[][] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    // Iterative depth-first search: a cycle is an edge back to a file still open on the stack.
    for (const start of Object.keys(graph)) {
      if (state.has(start)) continue;
      const work: { file: string; next: number }[] = [{ file: start, next: 0 }];
      state.set(start, 'open');
      stack.push(start);
      while (work.length > 0) {
        const top = work[work.length - 1];
        const imports = graph[top.file] ?? [];
        if (top.next >= imports.length) {
          state.set(top.file, 'done');
          stack.pop();
          work.pop();
          continue;
        }
        const imported = imports[top.next++];
        if (state.get(imported) === 'open') cycles.push([...stack.slice(stack.indexOf(imported)), imported]);
        else if (!state.has(imported)) {
          state.set(imported, 'open');
          stack.push(imported);
          work.push({ file: imported, next: 0 });
        }
      }
    }
    assert.deepEqual(cycles.map((cycle) => cycle.join(' → ')), []);
  });
});
