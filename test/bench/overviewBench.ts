import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { LineagePage, OverviewPage } from '../../src/extension/webviews/registryPagesProtocol';
import { WebviewHarness } from '../webview/webviewHarness';
import { median, printTable, verdict } from './benchTable';
import { generate } from './registryScaleBench';
import { timed } from './webviewBench';

const LIB = path.resolve(__dirname, '..', '..', 'dist', 'lib.js');
const TARGET_MS = 1000;
/** Models trained on each shared table: the fan-out the graph has to collapse. */
const MODELS_PER_SHARED_TABLE = 20;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every version trained on its model's own file and on a table shared with 19 other models. */
function dataOf(model: number): { uri: string; kind: 'file'; sha256: string }[] {
  const shared = `data/shared-${Math.floor(model / MODELS_PER_SHARED_TABLE)}.parquet`;
  const own = `data/model-${model}.csv`;
  return [
    { uri: shared, kind: 'file', sha256: sha(shared) },
    { uri: own, kind: 'file', sha256: sha(own) },
  ];
}

/** Runs in a fresh node with the shipped library, as the extension host would: the data behind each page, timed. */
const MEASURE = `
const { Registry } = require(process.argv[1]);
const fs = require('node:fs');
const [folder, out, model, data] = process.argv.slice(2);
const ms = (start) => performance.now() - start;
const times = (run) => { const all = []; let value; for (let i = 0; i < 5; i++) { const t = performance.now(); value = run(); all.push(ms(t)); } return { all, value }; };
(async () => {
  let t = performance.now();
  const registry = await Registry.open({ folder });
  const open = ms(t);
  t = performance.now();
  const vocabulary = registry.queryVocabulary();
  const vocabularyMs = ms(t);
  const overview = times(() => registry.overview());
  const version = times(() => registry.lineage(model + '@production'));
  const whole = times(() => registry.lineage(model));
  const shared = times(() => registry.lineage(data));
  fs.writeFileSync(out, JSON.stringify({ overview: { kind: 'overview', rows: overview.value }, lineage: { kind: 'lineage', graph: shared.value } }));
  await registry.close();
  console.log(JSON.stringify({ open, vocabularyMs, overview: overview.all, version: version.all, whole: whole.all, shared: shared.all,
    versionNodes: version.value.nodes.length, wholeNodes: whole.value.nodes.length, sharedNodes: shared.value.nodes.length }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

/**
 * The overview and the lineage graph on a registry of `models` × 100 versions: the data each page
 * needs, computed by the shipped library in a fresh process (first call and median of the next
 * four), then each page's first screen in headless Chromium (message received → rows or nodes laid
 * out; median of three). The first screen a person waits for is the sum.
 */
export async function benchOverview(models = 1000, perModel = 100): Promise<void> {
  const root = mkdtempSync(path.join(tmpdir(), 'mreg-bench-overview-'));
  try {
    const folder = path.join(root, '.modelregistry');
    generate(folder, models, perModel, (model) => dataOf(model));
    // The first open replays the whole log and writes a snapshot; the measured process opens that.
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(LIB)}).Registry.open({ folder: ${JSON.stringify(folder)} }).then((r) => { r.checkpoint(); return r.close(); })`]);
    execFileSync('sync');
    const out = path.join(root, 'pages.json');
    const middle = `model-${String(Math.floor(models / 2)).padStart(4, '0')}`;
    const sharedData = `data/shared-${Math.floor(Math.floor(models / 2) / MODELS_PER_SHARED_TABLE)}.parquet`;
    const measured = JSON.parse(execFileSync(process.execPath, ['-e', MEASURE, LIB, folder, out, middle, sharedData], { encoding: 'utf8' })) as Record<string, number[]> & Record<'open' | 'vocabularyMs' | 'versionNodes' | 'wholeNodes' | 'sharedNodes', number>;
    const pages = JSON.parse(readFileSync(out, 'utf8')) as { overview: OverviewPage; lineage: LineagePage };
    const message = (page: OverviewPage | LineagePage) => JSON.stringify({ type: 'show', page });

    const harness = await WebviewHarness.launch();
    const overviewRender: number[] = [];
    const lineageRender: number[] = [];
    const sortRender: number[] = [];
    try {
      for (let run = 0; run < 3; run++) {
        const page = await harness.open('dark');
        overviewRender.push((await timed(page, `window.postMessage(${message(pages.overview)}, '*')`, 'table.overview tr.model-row')).first);
        sortRender.push((await timed(page, `document.querySelector('th button.sort[data-column="storage"]').click()`, 'th[data-column="storage"][aria-sort="descending"]')).first);
        await page.context().close();
        const graphPage = await harness.open('dark');
        lineageRender.push((await timed(graphPage, `window.postMessage(${message(pages.lineage)}, '*')`, 'svg.lineage-graph g.node')).first);
        await graphPage.context().close();
      }
    } finally {
      await harness.close();
    }
    const cell = (values: number[]) => `${values[0].toFixed(0)} / ${median(values.slice(1)).toFixed(0)}`;
    const overviewFirstScreen = median(measured.overview.slice(1)) + median(overviewRender);
    // The slowest of the three starts: a model's versions each bring a commit whose versions are looked up.
    const lineageFirstScreen = Math.max(...[measured.version, measured.whole, measured.shared].map((values) => median(values.slice(1)))) + median(lineageRender);
    printTable(
      `Overview and lineage on ${models} models × ${perModel} versions (each trained on its own file and a table shared by ${MODELS_PER_SHARED_TABLE} models; load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
      ['step', 'ms (first / median)', 'target', 'verdict'],
      [
        ['open the registry (snapshot)', measured.open.toFixed(0), '', ''],
        ['query vocabulary for completion (sent after the rows; once per change)', measured.vocabularyMs.toFixed(0), '', ''],
        [`overview rows, one query (${models} rows, ${(message(pages.overview).length / 1024).toFixed(0)} KiB message)`, cell(measured.overview), '', ''],
        ['overview page: message → first screen of rows laid out (median of 3)', median(overviewRender).toFixed(0), '', ''],
        ['overview first screen: rows + page', overviewFirstScreen.toFixed(0), `< ${TARGET_MS}`, verdict(overviewFirstScreen < TARGET_MS)],
        ['sort 1000 rows by storage (median of 3)', median(sortRender).toFixed(0), '', ''],
        [`lineage of ${middle}@production (${measured.versionNodes} nodes)`, cell(measured.version), '', ''],
        [`lineage of the model ${middle} (${measured.wholeNodes} nodes)`, cell(measured.whole), '', ''],
        [`lineage of ${sharedData} (${measured.sharedNodes} nodes)`, cell(measured.shared), '', ''],
        ['lineage page: message → graph laid out and drawn (median of 3)', median(lineageRender).toFixed(0), '', ''],
        ['lineage first screen: slowest graph above + page', lineageFirstScreen.toFixed(0), `< ${TARGET_MS}`, verdict(lineageFirstScreen < TARGET_MS)],
      ],
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
