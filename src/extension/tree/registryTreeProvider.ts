import * as vscode from 'vscode';
import type { Registry } from '../../registry/registry';
import type { RegistrySession } from '../registrySession';
import type { TreeNode } from './treeNode';

/**
 * What every registry tree shares: nodes render themselves, and the whole tree refreshes when the
 * registry changes. A subclass only says what the top level holds.
 */
export abstract class RegistryTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  protected readonly changeEmitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: RegistrySession) {
    this.subscription = session.onDidChange(() => this.changeEmitter.fire(undefined));
  }

  /** Renders the whole tree again (something it shows changed outside the registry, like sync state). */
  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  protected abstract roots(registry: Registry): TreeNode[];

  getTreeItem(node: TreeNode): vscode.TreeItem {
    return node.toTreeItem();
  }

  resolveTreeItem(item: vscode.TreeItem, node: TreeNode): vscode.TreeItem {
    item.tooltip ??= node.tooltip();
    return item;
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (node) return node.getChildren();
    const registry = await this.session.get().catch(() => undefined);
    return registry ? this.roots(registry) : [];
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}
