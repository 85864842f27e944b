import type * as vscodeApi from 'vscode';
import type { ModelRegistryExtension } from '../../../src/extension/modelRegistryExtension';
import type { TreeNode } from '../../../src/extension/tree/treeNode';

export interface TreeTimings {
  activationMs: number;
  firstRenderMs: number[];
  openMs: number[];
  warmRenderMs: number[];
  expandMs: number[];
  models: number;
  expandedVersions: number;
  rssMiB: number;
}

/**
 * Runs inside the extension host (loaded through the extension's test hook): times what a person
 * waits for — the registry opened and the model rows built, and a model with many versions
 * expanded. Tree items are built as VS Code would ask for them.
 */
export async function run(host: { vscode: typeof vscodeApi; extension: ModelRegistryExtension }): Promise<TreeTimings> {
  const { extension } = host;
  const tree = extension.modelsTree;
  const render = async (node?: TreeNode) => {
    const children = await tree.getChildren(node);
    for (const child of children) tree.getTreeItem(child);
    return children;
  };
  const firstRenderMs: number[] = [];
  const openMs: number[] = [];
  const warmRenderMs: number[] = [];
  const expandMs: number[] = [];
  let roots: TreeNode[] = [];
  let expandedVersions = 0;
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    await extension.session.reload();
    openMs.push(performance.now() - started);
    roots = await render();
    firstRenderMs.push(performance.now() - started);
    started = performance.now();
    roots = await render();
    warmRenderMs.push(performance.now() - started);
    const biggest = roots[0];
    started = performance.now();
    expandedVersions = (await render(biggest)).length;
    expandMs.push(performance.now() - started);
  }
  return { activationMs: extension.activationMs, firstRenderMs, openMs, warmRenderMs, expandMs, models: roots.length, expandedVersions, rssMiB: process.memoryUsage().rss / 1048576 };
}
