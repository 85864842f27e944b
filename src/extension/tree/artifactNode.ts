import * as vscode from 'vscode';
import { formatBytes } from '../../core/textReports';
import { artifactWarningLines } from '../../core/inspectionReport';
import type { ArtifactInspection } from '../../core/manifest';
import type { ResolvedArtifact } from '../../core/modelVersion';
import { appendWarnings, warningCount, warningIcon } from './versionWarnings';
import { TreeNode } from './treeNode';
import { ContextValues } from './contextValues';

/** One file of a version: opens and reveals the verified blob (or the workspace file it came from). */
export class ArtifactNode extends TreeNode {
  readonly id: string;

  constructor(
    readonly model: string,
    readonly number: number,
    readonly artifact: ResolvedArtifact,
    /** What the inspectors read from the file at registration, when its format is known. */
    readonly inspection?: ArtifactInspection,
  ) {
    super();
    this.id = `artifact:${model}/${number}/${artifact.path}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.artifact.path, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const warnings = artifactWarningLines(this.artifact.path, this.inspection);
    item.description = [formatBytes(this.artifact.size), this.artifact.sha256.slice(0, 12), ...(warnings.length > 0 ? [warningCount(warnings)] : [])].join(' · ');
    item.tooltip = new vscode.MarkdownString(undefined, true);
    item.tooltip.appendText(`${this.artifact.path}\n\n${this.artifact.mediaType}, ${this.artifact.size} bytes\n\nsha256 ${this.artifact.sha256}`);
    appendWarnings(item.tooltip, warnings);
    item.iconPath = warnings.length > 0 ? warningIcon() : vscode.ThemeIcon.File;
    item.resourceUri = vscode.Uri.file(this.artifact.path);
    item.contextValue = ContextValues.artifact;
    item.command = { command: 'modelRegistry.openArtifact', title: 'Open Artifact', arguments: [this] };
    return item;
  }
}
