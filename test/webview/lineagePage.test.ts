import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { LineageGraph } from '../../src/core/lineageGraph';
import { lineagePage } from '../../src/extension/webviews/registryPageAnswers';
import type { Registry } from '../../src/registry/registry';
import { buildOverviewRegistry } from '../support/overviewRegistry';
import { useTempFolders } from '../support/tempFolders';
import { THEMES, useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

const tempFolder = useTempFolders();
const hexToRgb = (hex: string) => `rgb(${[1, 3, 5].map((start) => parseInt(hex.slice(start, start + 2), 16)).join(', ')})`;

describe('the lineage page in a browser', function () {
  this.timeout(120_000);
  const browser = useWebviewHarness();
  let registry: Registry;
  let project: string;
  let page: Page;

  before(async () => {
    project = tempFolder('lineage-page');
    registry = await buildOverviewRegistry(project);
  });
  after(async () => registry.close());

  const sha256Of = (file: string) => createHash('sha256').update(readFileSync(path.join(project, file))).digest('hex');
  const focusedId = () => page.evaluate(() => document.activeElement?.getAttribute('data-id') ?? null);

  async function openLineage(subject: string, theme: Theme = 'dark'): Promise<LineageGraph> {
    page = await browser.open(theme);
    const data = lineagePage(registry, subject);
    await WebviewHarness.send(page, { type: 'show', page: data });
    await page.locator('svg.lineage-graph g.node').first().waitFor();
    return data.graph;
  }

  it('draws every node and edge of the graph, marking what Production depends on and the shared data', async () => {
    await openLineage('fraud@production');
    const features = `data:sha256:${sha256Of('out/features.csv')}`;
    const labels = `data:sha256:${sha256Of('data/labels.csv')}`;
    const ids = await page.locator('svg.lineage-graph g.node').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')));
    // Computed by hand from the registry the test built: fraud/2 in Production, its two data files,
    // its commit (shared with fraud/1 and features/1), its stage and alias, the model whose output
    // it was trained on, and the other versions trained on the same files.
    const commitA = `commit:${'a'.repeat(40)}`;
    const expected = [
      'version:fraud/2', 'stage:fraud/Production', 'alias:fraud/champion', commitA, features, labels,
      'version:features/1', 'version:fraud/1', 'version:fraud/3', 'version:churn/1',
      'stage:fraud/Archived', 'stage:fraud/Staging', `commit:${'b'.repeat(40)}`, `commit:${'c'.repeat(40)}`,
    ];
    assert.deepEqual([...ids].sort(), [...expected].sort());
    const edges = await page.locator('svg.lineage-graph path.edge').evaluateAll((paths) => paths.map((edge) => `${edge.getAttribute('data-from')} → ${edge.getAttribute('data-to')} ${edge.querySelector('title')?.textContent}`));
    for (const edge of [
      `${features} → version:fraud/2 trained on`,
      `${labels} → version:fraud/2 trained on`,
      `${labels} → version:churn/1 trained on`,
      `${commitA} → version:fraud/2 built from commit`,
      'version:features/1 → ' + `${features} produced`,
      'version:fraud/2 → stage:fraud/Production is Production of',
      'version:fraud/2 → alias:fraud/champion is @champion of',
    ]) assert.ok(edges.includes(edge), `edge ${edge}`);
    const feeding = await page.locator('svg.lineage-graph g.node.feeds-production').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id')).sort());
    assert.deepEqual(feeding, [commitA, features, labels, 'stage:fraud/Production', 'version:features/1', 'version:fraud/2'].sort());
    assert.deepEqual(await page.locator('svg.lineage-graph g.node.shared').evaluateAll((nodes) => nodes.map((node) => node.getAttribute('data-id'))), [labels], 'fraud and churn share the labels');
    assert.equal(await page.locator('svg.lineage-graph g.node.root').getAttribute('data-id'), 'version:fraud/2');
    assert.equal(await page.locator('svg.lineage-graph path.edge.feeds-production').first().evaluate((edge) => getComputedStyle(edge).stroke), hexToRgb(THEMES.dark['charts-green']));
    // Left to right: data before the version trained on it, the version before its stage.
    const x = (id: string) => page.locator(`g.node[data-id="${id}"]`).evaluate((node) => node.getBoundingClientRect().left);
    assert.ok((await x(features)) < (await x('version:fraud/2')) && (await x('version:fraud/2')) < (await x('stage:fraud/Production')));

    const text = page.locator('table.lineage-text');
    assert.equal(await text.locator('tbody tr').count(), 10, 'each version (5), data entry (2) and commit (3) described once');
    assert.match(await text.innerText(), /fraud\/2 \(v1\.1\.0 · Production · @champion\)\s+version\s+is Production of fraud\s+is @champion of fraud\s+built from commit a{10}\s+trained on data out\/features\.csv\s+trained on data data\/labels\.csv\s+yes/);
    assert.match(await text.innerText(), /shared by 2 models: churn, fraud/);
    assert.deepEqual(browser.harness().errors, []);
  });

  it('moves between nodes with the keyboard and opens what Enter names', async () => {
    const graph = await openLineage('fraud@production');
    const features = `data:sha256:${sha256Of('out/features.csv')}`;
    await page.locator('g.node[data-id="version:fraud/2"]').focus();
    assert.match(await page.locator('#lineage-selected').innerText(), /^version fraud\/2, v1\.1\.0 · Production · @champion, Production depends on it, start$/);
    await page.locator(`g.node[data-id="commit:${'a'.repeat(40)}"]`).focus();
    assert.equal(await page.locator('#lineage-selected').innerText(), `commit ${'a'.repeat(10)}, main, Production depends on it`);
    await page.locator('g.node[data-id="version:fraud/2"]').focus();
    await page.keyboard.press('ArrowRight');
    const downstream = graph.edges.filter((edge) => edge.from === 'version:fraud/2').map((edge) => edge.to);
    assert.ok(downstream.includes((await focusedId())!), `→ follows an edge out: ${await focusedId()}`);
    await page.keyboard.press('ArrowLeft');
    assert.equal(await focusedId(), 'version:fraud/2', '← comes back along it');
    await page.keyboard.press('ArrowLeft');
    const upstream = graph.edges.filter((edge) => edge.to === 'version:fraud/2').map((edge) => edge.from);
    assert.ok(upstream.includes((await focusedId())!), `← follows an edge in: ${await focusedId()}`);
    await page.locator('g.node[data-id="version:fraud/2"]').focus();
    await page.keyboard.press('ArrowDown');
    if ((await focusedId()) === 'version:fraud/2') await page.keyboard.press('ArrowUp');
    const centre = (id: string | null) => page.locator(`g.node[data-id="${id}"]`).evaluate((node) => { const box = node.getBoundingClientRect(); return Math.round(box.left + box.width / 2); });
    assert.notEqual(await focusedId(), 'version:fraud/2', '↓ or ↑ moves');
    assert.equal(await centre(await focusedId()), await centre('version:fraud/2'), 'within the column');
    await page.locator('g.node[data-id="version:fraud/2"]').focus();
    await page.keyboard.press('Enter');
    await page.locator(`g.node[data-id="${features}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator('g.node[data-id="stage:fraud/Production"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('#lineage-from-here').click();
    const { posted } = await WebviewHarness.recorded(page);
    assert.deepEqual(posted.filter((message) => message.type !== 'ready'), [
      { type: 'openVersion', ref: 'fraud/2' },
      { type: 'showLineage', subject: features },
      { type: 'openVersion', ref: 'fraud/2' },
      { type: 'showLineage', subject: 'fraud/2' },
    ]);
  });

  it('collapses a large fan-out into "+N versions", which starts the graph again from there', async () => {
    for (let n = 2; n <= 9; n++) {
      await registry.register({ model: 'churn', paths: [path.join(project, 'churn.bin')], data: [path.join(project, 'data/labels.csv')], metrics: { recall: n / 10 }, git: null, inspect: false, description: `retrain ${n}` });
    }
    const labels = `data:sha256:${sha256Of('data/labels.csv')}`;
    await openLineage(labels);
    const more = page.locator('g.node.node-more');
    assert.equal(await more.count(), 1);
    assert.match((await more.textContent()) ?? '', /\+6 versions/, '12 versions trained on the labels (fraud 1–3, churn 1–9): 6 drawn');
    await more.focus();
    await page.keyboard.press('Enter');
    const { posted } = await WebviewHarness.recorded(page);
    assert.deepEqual(posted.at(-1), { type: 'showLineage', subject: labels });
  });

  it('renders a hostile data URI as inert text', async () => {
    const payload = 's3://bucket/<img src=x onerror="window.__pwned=1">';
    await registry.register({ model: 'hostile', paths: [path.join(project, 'fraud-1.bin')], data: [payload], git: null, inspect: false });
    await openLineage('hostile/1');
    await browser.harness().assertInert(page, [payload]);
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as Theme[]) {
    it(`draws the graph in the ${theme} theme`, async () => {
      await openLineage('fraud@production', theme);
      await page.locator('g.node[data-id="version:fraud/2"]').focus();
      assert.equal(await page.locator('svg.lineage-graph path.edge.feeds-production').first().evaluate((edge) => getComputedStyle(edge).stroke), hexToRgb(THEMES[theme]['charts-green']));
      await WebviewHarness.screenshot(page, `webview-lineage-${theme}`);
    });
  }
});
