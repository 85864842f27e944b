import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { Registry } from '../../src/index';
import { CodeServer } from '../vscode/codeServer';
import { CACHE_DIR, REPO_ROOT, ensureWorkbench } from '../vscode/workbenchInstall';
import { WorkbenchPage } from '../vscode/workbenchPage';
import { median, printTable, verdict } from './benchTable';
import type { TreeTimings } from './extensionHost/treeTimings';
import { generate } from './registryScaleBench';

/**
 * The extension in a real VS Code (code-server + Chromium, as the end-to-end tests) on a registry
 * of 1k models / ~100k versions, one of them with 1k versions: activation, the Models view's first
 * render, and expanding the big model.
 */
export async function benchExtension(models: number): Promise<void> {
  const workbench = ensureWorkbench();
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const bundle = path.join(CACHE_DIR, 'bench-tree-timings.js');
  await esbuild.build({ entryPoints: [path.join(__dirname, 'extensionHost', 'treeTimings.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning' });
  const root = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-extension-'));
  try {
    const workspace = path.join(root, 'project');
    const folder = path.join(workspace, '.modelregistry');
    mkdirSync(workspace);
    // Model 0 sorts first and has 1k versions; the rest have 99 each.
    generate(folder, models, (model) => (model === 0 ? 1000 : 99));
    const registry = await Registry.open({ folder, actor: 'bench@example.com' });
    const versions = registry.models().reduce((sum, model) => sum + model.versionCount, 0);
    registry.checkpoint();
    await registry.close();
    const results = path.join(root, 'results.json');
    const server = await CodeServer.start({ workbench, home: path.join(root, 'code-server'), vsix: path.join(REPO_ROOT, 'dist', 'model-registry.vsix'), workspace, env: { MODEL_REGISTRY_TEST_BUNDLE: bundle, MODEL_REGISTRY_TEST_RESULTS: results } });
    const page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
    try {
      const deadline = Date.now() + 5 * 60_000;
      while (!existsSync(results) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 500));
      if (!existsSync(results)) throw new Error(`no results from the extension host:\n${server.log}`);
      const outcome = JSON.parse(readFileSync(results, 'utf8')) as TreeTimings & { error?: string };
      if (outcome.error) throw new Error(outcome.error);
      const all = (values: number[]) => values.map((value) => value.toFixed(0)).join(' / ');
      printTable(
        `The extension on ${outcome.models} models / ${versions} versions, inside code-server's extension host (3 runs each)`,
        ['what', 'median ms', 'runs (ms)', 'target', 'verdict'],
        [
          ['activation (activate() returns; the registry opens after)', outcome.activationMs.toFixed(1), '-', '< 200 ms', verdict(outcome.activationMs < 200)],
          ['first render: open registry + build the model rows', median(outcome.firstRenderMs).toFixed(0), all(outcome.firstRenderMs), '< 300 ms', verdict(median(outcome.firstRenderMs) < 300)],
          ['  of which opening the registry (snapshot read + checksum)', median(outcome.openMs).toFixed(0), all(outcome.openMs), '-', ''],
          ['  for comparison, Registry.open alone in the same host', median(outcome.bareOpenMs).toFixed(0), all(outcome.bareOpenMs), '-', ''],
          ['  and listing the models once open', median(outcome.bareModelsMs).toFixed(0), all(outcome.bareModelsMs), '-', ''],
          ['re-render the model rows (registry open)', median(outcome.warmRenderMs).toFixed(0), all(outcome.warmRenderMs), '-', ''],
          [`expand a model with ${outcome.expandedVersions} versions`, median(outcome.expandMs).toFixed(0), all(outcome.expandMs), '< 100 ms', verdict(median(outcome.expandMs) < 100)],
          ['extension host RSS after (MiB)', outcome.rssMiB.toFixed(0), '-', '-', ''],
        ],
      );
    } finally {
      await page.close();
      await server.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
