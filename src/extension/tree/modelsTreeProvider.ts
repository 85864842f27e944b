import * as vscode from 'vscode';
import type { Registry } from '../../registry/registry';
import type { RegistrySession } from '../registrySession';
import type { ExpansionMemory } from './expansionMemory';
import { ModelNode } from './modelNode';
import { RegistryTreeProvider } from './registryTreeProvider';
import { VersionNode } from './versionNode';
import type { TreeNode } from './treeNode';
import type { TreeFilter } from './versionFilter';

/** Models → Versions → a version's artifacts, metrics, params, lineage, data and events. */
export class ModelsTreeProvider extends RegistryTreeProvider {
  private filter: TreeFilter | undefined;

  constructor(
    session: RegistrySession,
    private readonly expansion: ExpansionMemory,
    /** `name/3` of versions not yet in the shared store, whose numbers may still change. */
    private readonly pendingVersions: () => ReadonlySet<string> = () => new Set(),
  ) {
    super(session);
  }

  private view: vscode.TreeView<TreeNode> | undefined;

  /** The view showing this tree, for revealing versions in it. */
  attach(view: vscode.TreeView<TreeNode>): void {
    this.view = view;
  }

  /** Shows and selects a version (after registering it), expanding its model; undefined when the filter hides it. */
  async revealVersion(model: string, number: number): Promise<TreeNode | undefined> {
    const parent = (await this.getChildren()).find((node): node is ModelNode => node instanceof ModelNode && node.model.name === model);
    const node = parent?.getChildren().find((child) => child instanceof VersionNode && child.version.number === number);
    if (!parent || !node || !this.view) return undefined;
    // Remembered first: the refresh that follows a registration re-creates the model's node, which must stay open.
    this.expansion.remember(parent.id, true);
    await this.view.reveal(node, { select: true, focus: false, expand: false });
    return node;
  }

  /** Only versions are revealed: their parent is their model's node. */
  async getParent(node: TreeNode): Promise<TreeNode | undefined> {
    if (!(node instanceof VersionNode)) return undefined;
    return (await this.getChildren()).find((candidate) => candidate instanceof ModelNode && candidate.model.name === node.version.model);
  }

  get activeFilter(): TreeFilter | undefined {
    return this.filter;
  }

  setFilter(filter: TreeFilter | undefined): void {
    this.filter = filter;
    void vscode.commands.executeCommand('setContext', 'modelRegistry.filtered', filter !== undefined);
    this.changeEmitter.fire(undefined);
  }

  protected roots(registry: Registry): TreeNode[] {
    const models = registry.models();
    const filter = this.filter;
    const pending = this.pendingVersions();
    if (!filter) return models.map((model) => new ModelNode(registry, model, this.expansion.isExpanded, undefined, pending));
    const match = filter.match(registry);
    const nodes: TreeNode[] = [];
    for (const model of models) {
      if (match.matchesModel(model)) {
        nodes.push(new ModelNode(registry, model, this.expansion.isExpanded, undefined, pending));
        continue;
      }
      const versions = match.versionsOf(model);
      if (versions.length > 0) nodes.push(new ModelNode(registry, model, () => true, versions, pending));
    }
    return nodes;
  }
}
