import type * as vscode from 'vscode';

/** One node kind of a registry tree: it knows its own item, children and identity. */
export abstract class TreeNode {
  /** Stable across refreshes, so VS Code keeps selection and expansion. */
  abstract readonly id: string;
  abstract toTreeItem(): vscode.TreeItem;
  getChildren(): TreeNode[] | Promise<TreeNode[]> {
    return [];
  }

  /** Built only when the person hovers (VS Code's resolveTreeItem), not for every row rendered. */
  tooltip(): vscode.MarkdownString | string | undefined {
    return undefined;
  }
}
