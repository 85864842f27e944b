import * as vscode from 'vscode';
import type { Registry } from '../../registry/registry';
import type { RegistrySession } from '../registrySession';
import type { ExpansionMemory } from './expansionMemory';
import { HandedOutChildren } from './handedOutChildren';
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
    // Registered before VS Code listens (the view is created after the provider): the next fetch is fresh.
    this.onDidChangeTreeData(() => this.handedOut.forget());
  }

  private view: vscode.TreeView<TreeNode> | undefined;
  /** The nodes handed to VS Code since the last refresh (see HandedOutChildren). */
  private readonly handedOut = new HandedOutChildren<TreeNode>();

  override getChildren(node?: TreeNode): Promise<TreeNode[]> {
    return this.handedOut.get(node, () => super.getChildren(node));
  }

  /** The view showing this tree, for revealing versions in it. */
  attach(view: vscode.TreeView<TreeNode>): void {
    this.view = view;
  }

  /** Shows and selects a version (after registering it), expanding its model; undefined when the filter hides it. */
  async revealVersion(model: string, number: number): Promise<TreeNode | undefined> {
    // After the refresh the registration causes, or VS Code would be asked about nodes it is about to drop.
    await this.settled();
    const parent = (await this.getChildren()).find((node): node is ModelNode => node instanceof ModelNode && node.model.name === model);
    const node = parent && (await this.getChildren(parent)).find((child) => child instanceof VersionNode && child.version.number === number);
    if (!parent || !node || !this.view) return undefined;
    // Remembered first: the refresh that follows a registration re-creates the model's node, which must stay open.
    this.expansion.remember(parent.id, true);
    // The model first, expanded, then the version in it: VS Code then knows both nodes from its own fetches.
    await this.view.reveal(parent, { select: false, focus: false, expand: true });
    await this.view.reveal(node, { select: true, focus: false, expand: false });
    return node;
  }

  /** Resolves after the next refresh of the tree, or after a second when none comes (it came already). */
  private settled(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        subscription.dispose();
        resolve();
      };
      const subscription = this.onDidChangeTreeData(() => setTimeout(done, 0));
      const timer = setTimeout(done, 1000);
    });
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
