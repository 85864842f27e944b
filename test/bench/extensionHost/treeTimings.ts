import type * as vscodeApi from 'vscode';
import type { ModelRegistryExtension } from '../../../src/extension/modelRegistryExtension';
import type { Registry } from '../../../src/registry/registry';
import type { TreeNode } from '../../../src/extension/tree/treeNode';

export interface TreeTimings {
  activationMs: number;
  firstRenderMs: number[];
  openMs: number[];
  warmRenderMs: number[];
  expandMs: number[];
  /** Registry.open + models() outside the session: what the host costs without the views. */
  bareOpenMs: number[];
  bareModelsMs: number[];
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
  const bareOpenMs: number[] = [];
  const bareModelsMs: number[] = [];
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
  const opened = await extension.session.get();
  const RegistryClass = opened.constructor as typeof Registry;
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    const bare = await RegistryClass.open({ folder: opened.folder.root });
    bareOpenMs.push(performance.now() - started);
    started = performance.now();
    bare.models();
    bareModelsMs.push(performance.now() - started);
    await bare.close();
  }
  return { activationMs: extension.activationMs, firstRenderMs, openMs, warmRenderMs, expandMs, bareOpenMs, bareModelsMs, models: roots.length, expandedVersions, rssMiB: process.memoryUsage().rss / 1048576 };
}
