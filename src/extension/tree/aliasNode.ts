import * as vscode from 'vscode';
import { formatRef } from '../../core/refs';
import { ContextValues } from './contextValues';
import { TreeNode } from './treeNode';

/** An alias a version holds (`champion` → m/3), under the version: its menu removes it. */
export class AliasNode extends TreeNode {
  readonly id: string;

  constructor(
    parentId: string,
    readonly model: string,
    readonly number: number,
    readonly alias: string,
  ) {
    super();
    this.id = `${parentId}:alias:${alias}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.alias, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${this.model}@${this.alias}`;
    item.tooltip = `${this.model}@${this.alias} resolves to ${formatRef(this.model, this.number)}`;
    item.iconPath = new vscode.ThemeIcon('tag');
    item.contextValue = ContextValues.alias;
    return item;
  }
}
