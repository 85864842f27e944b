import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../src/registry/registry';
import { writeFiles } from './tempFolders';

/**
 * A small registry for the overview and lineage pages, built through the public API:
 * - `features/1` outputs `out/features.csv`, which `fraud` is trained on (output feeding training);
 * - `fraud` has three versions: #1 Archived, #2 Production (semver 1.1.0, @champion), #3 Staging with a
 *   pending request for Production; auc (higher is better) and latency_ms (lower is better) moved
 *   from #2 to #3 as 0.91 → 0.94 (better) and 12 → 15 (worse);
 * - `churn/1` shares `data/labels.csv` with fraud and is 3000 bytes, the largest model.
 */
export async function buildOverviewRegistry(project: string, actor = 'alice@example.com'): Promise<Registry> {
  writeFiles(project, {
    'out/features.csv': 'f1,f2\n0.1,0.2\n',
    'data/labels.csv': 'y\n1\n0\n',
    'fraud-1.bin': 'fraud weights one',
    'fraud-2.bin': 'fraud weights two',
    'fraud-3.bin': 'fraud weights three',
    'churn.bin': 'c'.repeat(3000),
  });
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), projectRoot: project, actor });
  const at = (file: string) => path.join(project, file);
  const git = { commit: 'a'.repeat(40), branch: 'main' };
  const fraudData = [at('out/features.csv'), at('data/labels.csv')];
  const directions = { auc: 'max', latency_ms: 'min' } as const;
  await registry.register({ model: 'features', paths: [at('out/features.csv')], git, inspect: false });
  await registry.register({ model: 'fraud', paths: [at('fraud-1.bin')], data: fraudData, metrics: { auc: 0.88, latency_ms: 11 }, metricDirections: directions, git, inspect: false });
  await registry.register({ model: 'fraud', paths: [at('fraud-2.bin')], data: fraudData, metrics: { auc: 0.91, latency_ms: 12 }, metricDirections: directions, semver: '1.1.0', git, inspect: false });
  await registry.register({ model: 'fraud', paths: [at('fraud-3.bin')], data: fraudData, metrics: { auc: 0.94, latency_ms: 15 }, metricDirections: directions, git: { commit: 'b'.repeat(40), branch: 'main' }, inspect: false });
  await registry.register({ model: 'churn', paths: [at('churn.bin')], data: [at('data/labels.csv')], metrics: { recall: 0.7 }, git: { commit: 'c'.repeat(40), branch: 'dev' }, inspect: false });
  await registry.promote('fraud/1', 'Production');
  await registry.promote('fraud/2', 'Production');
  await registry.setAlias('fraud/2', 'champion');
  await registry.promote('fraud/3', 'Staging');
  // Approvals are asked for from here on: the promotions above were made before the rule.
  writeFileSync(path.join(project, '.modelregistry', 'policy.yaml'), ['rules:', '  - models: fraud', '    stages: Production', '    approvals: 1'].join('\n'));
  await registry.requestApproval('fraud/3', 'Production', { reason: 'better auc' });
  return registry;
}
