import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Registry } from '../../../src/registry/registry';
import { buildOverviewRegistry } from '../../support/overviewRegistry';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

describe('Registry.overview', () => {
  let registry: Registry;
  before(async () => {
    registry = await buildOverviewRegistry(tempFolder('overview'));
  });
  after(async () => registry.close());

  it('gives one row per model by name, with its latest, Production and Staging versions', () => {
    const rows = registry.overview();
    assert.deepEqual(rows.map((row) => row.model), ['churn', 'features', 'fraud']);
    const fraud = rows[2];
    assert.deepEqual([fraud.versionCount, fraud.latest?.number, fraud.production?.number, fraud.production?.semver, fraud.staging?.number], [3, 3, 2, '1.1.0', 3]);
    assert.deepEqual([rows[0].production, rows[0].staging, rows[0].latest?.number], [null, null, 1]);
    // "since" is when the version entered the stage: the promotion's event, after its registration.
    const promotion = registry.stageHistory('fraud').changes.filter((change) => change.version === 2 && change.to === 'Production').at(-1);
    assert.equal(fraud.production?.since, promotion?.time);
    assert.ok(fraud.production!.since > fraud.production!.createdAt);
  });

  it('judges the main metrics from Production to the latest version by their direction', () => {
    const fraud = registry.overview().find((row) => row.model === 'fraud')!;
    assert.deepEqual(
      fraud.metrics.map((metric) => [metric.name, metric.production, metric.latest, metric.verdict]),
      [['auc', 0.91, 0.94, 'better'], ['latency_ms', 12, 15, 'worse']],
    );
    assert.ok(Math.abs(fraud.metrics[0].change! - 0.03) < 1e-12);
    const churn = registry.overview().find((row) => row.model === 'churn')!;
    assert.deepEqual(churn.metrics, [{ name: 'recall', direction: null, production: null, latest: 0.7, change: null, verdict: null }], 'no Production, no direction: nothing to judge');
  });

  it('counts pending approvals, names the last change, and sums distinct artifact bytes', async () => {
    const rows = registry.overview();
    assert.deepEqual(rows.map((row) => row.pendingApprovals), [0, 0, 1]);
    const fraud = rows[2];
    assert.deepEqual([fraud.lastChange?.type, fraud.lastChange?.actor, fraud.lastChange?.version], ['approval.requested', 'alice@example.com', 3]);
    // Bytes of the files as written: 'fraud weights one' + 'fraud weights two' + 'fraud weights three'.
    assert.equal(fraud.storageBytes, 17 + 17 + 19);
    assert.equal(rows[0].storageBytes, 3000);
    await registry.setAlias('fraud/3', 'candidate');
    assert.equal(registry.overview()[2].lastChange?.type, 'version.alias_set', 'follows the registry as it changes');
    writeFileSync(path.join(registry.projectRoot, 'extra.txt'), 'extra');
    await registry.register({ model: 'churn', paths: [path.join(registry.projectRoot, 'churn.bin'), path.join(registry.projectRoot, 'extra.txt')], git: null, inspect: false });
    assert.equal(registry.overview()[0].storageBytes, 3000 + 5, 'the unchanged weights count once');
  });
});
