import * as vscode from 'vscode';
import { TreeNode } from './treeNode';
import { ContextValues } from './contextValues';

/** A labelled value under a version (a metric, a param, a lineage fact, an event). */
export class DetailNode extends TreeNode {
  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly value: string,
    private readonly icon?: string,
    private readonly hover?: string,
    /** What a screen reader says, when label and value alone would not read well. */
    private readonly accessibilityLabel?: string,
  ) {
    super();
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.label, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = this.value;
    item.tooltip = this.hover ?? `${this.label}: ${this.value}`;
    if (this.accessibilityLabel) item.accessibilityInformation = { label: this.accessibilityLabel };
    item.contextValue = ContextValues.detail;
    if (this.icon) item.iconPath = new vscode.ThemeIcon(this.icon);
    return item;
  }
}

/** A collapsible heading (Metrics, Params, Lineage …) over nodes computed when it is expanded. */
export class SectionNode extends TreeNode {
  constructor(
    readonly id: string,
    private readonly label: string,
    private readonly icon: string,
    private readonly children: () => TreeNode[] | Promise<TreeNode[]>,
    private readonly count?: number,
    private readonly expanded = false,
  ) {
    super();
  }

  toTreeItem(): vscode.TreeItem {
    const empty = this.count === 0;
    const state = empty ? vscode.TreeItemCollapsibleState.None : this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
    const item = new vscode.TreeItem(this.label, state);
    item.id = this.id;
    item.description = this.count === undefined ? undefined : empty ? 'none' : String(this.count);
    item.iconPath = new vscode.ThemeIcon(this.icon);
    item.contextValue = ContextValues.section;
    return item;
  }

  override getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return this.children();
  }
}
