import * as vscode from 'vscode';
import { formatBytes } from '../../core/textReports';
import type { ResolvedArtifact } from '../../core/modelVersion';
import { TreeNode } from './treeNode';
import { ContextValues } from './contextValues';

/** One file of a version: opens and reveals the verified blob (or the workspace file it came from). */
export class ArtifactNode extends TreeNode {
  readonly id: string;

  constructor(
    readonly model: string,
    readonly number: number,
    readonly artifact: ResolvedArtifact,
  ) {
    super();
    this.id = `artifact:${model}/${number}/${artifact.path}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.artifact.path, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.description = `${formatBytes(this.artifact.size)} · ${this.artifact.sha256.slice(0, 12)}`;
    item.tooltip = new vscode.MarkdownString(undefined, true);
    item.tooltip.appendText(`${this.artifact.path}\n\n${this.artifact.mediaType}, ${this.artifact.size} bytes\n\nsha256 ${this.artifact.sha256}`);
    item.iconPath = vscode.ThemeIcon.File;
    item.resourceUri = vscode.Uri.file(this.artifact.path);
    item.contextValue = ContextValues.artifact;
    item.command = { command: 'modelRegistry.openArtifact', title: 'Open Artifact', arguments: [this] };
    return item;
  }
}
