import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from '../../src/registry/registry';
import { median, printTable } from './benchTable';
import { generate } from './registryScaleBench';

function timed<T>(work: () => T): { ms: number; result: T } {
  const start = performance.now();
  const result = work();
  return { ms: performance.now() - start, result };
}

/** Median of three runs, after one warm-up run. */
function measure<T>(work: () => T): { ms: number; firstMs: number; result: T } {
  const warm = timed(work);
  const runs = [timed(work), timed(work), timed(work)];
  return { ms: median(runs.map((run) => run.ms)), firstMs: warm.ms, result: warm.result };
}

/**
 * Search queries on a large registry, next to the hand-written indexed query the registry already
 * had for the same question (versionsByMetric), so the cost of the query language shows.
 */
export async function benchSearch(versions: number): Promise<void> {
  const models = Math.max(1, Math.round(versions / 100));
  const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-search-')), '.modelregistry');
  try {
    generate(folder, models, Math.round(versions / models));
    const registry = await Registry.open({ folder, actor: 'bench@example.com' });
    try {
      const rows: (string | number)[][] = [];
      const metric = measure(() => registry.search('metrics.metric_3 >= 0.99', { orderBy: 'metrics.metric_3 DESC' }));
      const baseline = measure(() => registry.versionsByMetric('metric_3', { min: 0.99 }));
      rows.push(['metrics.metric_3 >= 0.99, ordered by it', metric.result.length, metric.ms.toFixed(1), 'versionsByMetric (indexed, hand-written SQL)', baseline.ms.toFixed(1)]);
      const queries = [
        "name LIKE 'model-00%' AND stage = Production",
        'stage = Production AND metrics.metric_1 > 0.5 AND params.param_1 < 0.5',
        "created_at > now-30d AND git.branch = 'main' AND name = 'model-0042'",
        "params.param_0 = 'value-3' OR alias = champion",
        'format = onnx',
      ];
      for (const query of queries) {
        const run = measure(() => registry.search(query, { limit: 1000 }));
        rows.push([query, run.result.length, run.ms.toFixed(1), '', '']);
      }
      const completion = measure(() => registry.completeQuery("stage = Production AND name = 'model-01", 40));
      rows.push(['completeQuery (model names), after the first call', completion.result.items.length, completion.ms.toFixed(1), 'the first call (gathers known values)', completion.firstMs.toFixed(1)]);
      printTable(`Search over ${versions.toLocaleString('en')} versions of ${models} models (median of 3 warm runs)`, ['QUERY', 'MATCHES', 'MS', 'COMPARED WITH', 'MS'], rows);
    } finally {
      await registry.close();
    }
  } finally {
    rmSync(path.dirname(folder), { recursive: true, force: true });
  }
}
