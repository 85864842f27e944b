import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { AuditEvent } from '../../src/core/modelVersion';
import { compareVersions } from '../../src/core/versionComparison';
import type { HostMessage } from '../../src/extension/webviews/protocol';
import { sampleColumns, sampleComparison, sampleHistory, showChart, showColumns, showComparison, versionDetails } from './comparisonFixtures';
import { sampleLog } from './auditLogFixtures';
import { sampleOverviewRows } from './overviewFixtures';
import { contrastFailures, MIN_TEXT_CONTRAST } from './textContrast';
import { useWebviewHarness, WebviewHarness, type Theme } from './webviewHarness';

/** A details page with every kind of coloured text it can show: findings, an unreadable file, directions, events. */
function richDetails(): HostMessage {
  const signature = { inputs: [{ name: 'features', elementType: 'float32', shape: [null, 16] }], outputs: [{ name: 'score', elementType: 'float32', shape: [null, 1] }] };
  const details = versionDetails(4, {
    metrics: { auc: { value: 0.93, direction: 'max' }, latency_ms: { value: 12, direction: 'min' }, loss: { value: 0.2 } },
    artifacts: [
      { path: 'model.onnx', size: 4096, sha256: 'd'.repeat(64), mediaType: 'application/onnx', inspection: { format: 'onnx', summary: { opsets: 'ai.onnx 17' }, parameterCount: 1234, tensorCount: 4, signature, findings: [] } },
      { path: 'churn.pkl', size: 90, sha256: 'e'.repeat(64), mediaType: 'application/octet-stream', inspection: { format: 'pickle', summary: {}, findings: [{ severity: 'high', code: 'pickle.unsafe-import', message: 'imports posix.system', where: 'offset 2' }] } },
    ],
    signature,
    lineage: { params: { lr: 0.001 }, data: [{ uri: 'data/train.csv', kind: 'file', sha256: 'f'.repeat(64), size: 10 }] },
  }, { stage: 'Production', aliases: ['champion'], description: 'The fraud detector.' });
  const events: AuditEvent[] = [
    { seq: 1, time: '2026-01-04T10:00:00.000Z', actor: 'ana@example.com', type: 'version.registered', model: 'fraud-detector', version: 4, reason: null, details: { fingerprint: 'd'.repeat(64) } },
    { seq: 2, time: '2026-01-05T10:00:00.000Z', actor: 'ana@example.com', type: 'version.stage_changed', model: 'fraud-detector', version: 4, reason: 'better auc', details: { from: 'None', to: 'Production', rollback: false } },
  ];
  return { type: 'show', page: { kind: 'details', details, uri: 'models:/fraud-detector/4', events } };
}

/** A comparison with every change colour: better, worse, added, removed, changed, breaking and compatible signature changes. */
function richComparison(): HostMessage {
  const input = (name: string, shape: (number | null)[]) => ({ name, elementType: 'float32', shape });
  const before = versionDetails(1, {
    metrics: { auc: { value: 0.91, direction: 'max' }, latency_ms: { value: 11, direction: 'min' } },
    lineage: { params: { lr: 0.001, dropout: 0.1 }, data: [{ uri: 'data/old.csv', kind: 'file', sha256: 'a'.repeat(64) }] },
    signature: { inputs: [input('features', [null, 16]), input('mask', [null, 16])], outputs: [input('score', [null, 1])] },
  });
  const after = versionDetails(2, {
    metrics: { auc: { value: 0.93, direction: 'max' }, latency_ms: { value: 14, direction: 'min' } },
    lineage: { params: { lr: 0.0005, batch: 64 }, data: [{ uri: 'data/new.csv', kind: 'file', sha256: 'b'.repeat(64) }] },
    signature: { inputs: [input('features', [null, 32])], outputs: [input('score', [null, 1]), input('label', [null, 1])] },
    artifacts: [{ path: 'vocab.json', size: 10, sha256: 'c'.repeat(64), mediaType: 'application/json' }],
  });
  return showComparison(compareVersions(before, after));
}

const PAGES: Record<string, () => HostMessage> = {
  details: richDetails,
  comparison: () => showComparison(sampleComparison()),
  'changes comparison': richComparison,
  chart: () => showChart(sampleHistory()),
  columns: () => showColumns(sampleColumns()),
  'audit log': sampleLog,
  overview: () => ({ type: 'show', page: { kind: 'overview', rows: sampleOverviewRows() } }),
};

describe('text contrast on the webview pages', function () {
  this.timeout(120_000);
  const browser = useWebviewHarness();

  it('measures contrast as WCAG defines it (the check itself)', async () => {
    const page = await browser.open('light');
    // Ratios worked out by hand from WCAG 2.2's relative-luminance formula: black on white is 21:1,
    // #73c991 (the light theme's testing.iconPassed) on white about 2.0:1, #767676 on white 4.54:1.
    await page.evaluate(() => {
      document.body.replaceChildren(
        ...[['#000000', 'black'], ['#73c991', 'pale green'], ['#767676', 'grey']].map(([colour, text]) => {
          const probe = document.createElement('p');
          probe.style.color = colour;
          probe.style.background = '#ffffff';
          probe.textContent = text;
          return probe;
        }),
      );
    });
    const { checked, failures } = await contrastFailures(page, 4.5);
    assert.equal(checked, 3);
    assert.deepEqual(failures, [{ text: 'pale green', element: 'p', colour: '#73c991', background: '#ffffff', ratio: 2 }]);
    const strict = await contrastFailures(page, 4.6);
    assert.deepEqual(strict.failures.map((failure) => [failure.text, failure.ratio]), [['pale green', 2], ['grey', 4.54]]);
  });

  for (const theme of ['dark', 'light', 'high-contrast'] as Theme[]) {
    for (const [name, message] of Object.entries(PAGES)) {
      it(`keeps every text of the ${name} page at ${MIN_TEXT_CONTRAST}:1 or more in the ${theme} theme`, async () => {
        const page: Page = await browser.open(theme);
        await WebviewHarness.send(page, message());
        await page.locator('h1').waitFor();
        if (name === 'chart') await page.locator('figure.chart canvas').first().waitFor();
        // The toolkit's buttons draw themselves once defined.
        await page.waitForTimeout(300);
        const { checked, failures } = await contrastFailures(page);
        await WebviewHarness.screenshot(page, `webview-contrast-${name}-${theme}`);
        assert.ok(checked > 20, `only ${checked} texts found`);
        assert.deepEqual(failures, [], `texts below ${MIN_TEXT_CONTRAST}:1:\n${failures.map((failure) => `  ${failure.ratio}:1 ${failure.colour} on ${failure.background} ${failure.element} "${failure.text}"`).join('\n')}`);
      });
    }
  }
});
