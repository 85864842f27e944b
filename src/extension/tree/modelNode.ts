import * as vscode from 'vscode';
import type { Registry } from '../../registry/registry';
import type { RegisteredModel, ModelVersion } from '../../core/modelVersion';
import { TreeNode } from './treeNode';
import { VersionNode } from './versionNode';
import { ContextValues } from './contextValues';
import { plural } from '../../core/plural';

/** A registered model; its children are its versions, newest first. */
export class ModelNode extends TreeNode {
  readonly id: string;

  constructor(
    private readonly registry: Registry,
    readonly model: RegisteredModel,
    private readonly isExpanded: (id: string) => boolean,
    /** When a filter matched versions rather than the model, only those are shown. */
    private readonly onlyVersions?: ModelVersion[],
    private readonly pending: ReadonlySet<string> = new Set(),
  ) {
    super();
    this.id = `model:${model.name}`;
  }

  toTreeItem(): vscode.TreeItem {
    const { model } = this;
    const item = new vscode.TreeItem(model.name, this.isExpanded(this.id) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const production = model.productionVersion === null ? '' : ` · #${model.productionVersion} in Production`;
    item.description = `${plural(model.versionCount, 'version')}${production}`;
    item.iconPath = new vscode.ThemeIcon('package');
    item.contextValue = ContextValues.model;
    return item;
  }

  override tooltip(): vscode.MarkdownString {
    const { model } = this;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown('**');
    tooltip.appendText(model.name);
    tooltip.appendMarkdown('**\n\n');
    if (model.description) tooltip.appendText(`${model.description}\n\n`);
    tooltip.appendText(`${plural(model.versionCount, 'version')}, latest #${model.latestVersion ?? '-'}, Production #${model.productionVersion ?? '-'}`);
    const tags = Object.entries(model.tags).map(([key, value]) => `${key}=${value}`);
    if (tags.length) tooltip.appendText(`\n\nTags: ${tags.join(', ')}`);
    return tooltip;
  }

  override getChildren(): TreeNode[] {
    const versions = this.onlyVersions ?? this.registry.versions(this.model.name);
    return versions.map((version) => {
      const ref = `${version.model}/${version.number}`;
      return new VersionNode(this.registry, version, false, this.isExpanded(`version:${ref}`), this.pending.has(ref));
    });
  }
}
