import * as vscode from 'vscode';
import type { Registry } from '../../registry/registry';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { AliasNode } from './aliasNode';
import { ArtifactNode } from './artifactNode';
import { DataEntryNode } from './dataEntryNode';
import { eventRow } from './eventRow';
import { DetailNode, SectionNode } from './detailNodes';
import { stageIcon } from './stagePresentation';
import { TreeNode } from './treeNode';
import { versionTooltip } from './versionTooltip';
import { ContextValues } from './contextValues';
import { versionLabels } from '../../core/versionLabels';
import { versionWarnings, warningCount, warningIcon } from './versionWarnings';

/** A version: number as label; semver, stage and aliases as description; its recipe as children. */
export class VersionNode extends TreeNode {
  readonly id: string;

  constructor(
    private readonly registry: Registry,
    readonly version: ModelVersion,
    /** In the Stages view the model name is part of the label. */
    private readonly showModel = false,
    private readonly expanded = false,
    /** Registered here and not yet in the shared store: its number may still change. */
    private readonly pending = false,
  ) {
    super();
    this.id = `${showModel ? 'stage-' : ''}version:${version.model}/${version.number}`;
  }

  get ref(): string {
    return formatRef(this.version.model, this.version.number);
  }

  toTreeItem(): vscode.TreeItem {
    const { version } = this;
    const item = new vscode.TreeItem(this.showModel ? this.ref : `#${version.number}`, this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    const warnings = versionWarnings(this.registry, version);
    const labels = [...versionLabels(version, { omitNoneStage: true }), ...(this.pending ? ['pending sync'] : []), ...(warnings.length > 0 ? [warningCount(warnings)] : [])];
    item.description = labels.join(' · ') || undefined;
    item.iconPath = warnings.length > 0 ? warningIcon() : stageIcon(version.stage);
    item.contextValue = ContextValues.version(version.stage);
    return item;
  }

  override tooltip(): vscode.MarkdownString {
    return versionTooltip(this.version, versionWarnings(this.registry, this.version));
  }

  override getChildren(): TreeNode[] {
    const details = this.registry.version(this.ref);
    const { manifest } = details;
    const base = `${this.id}:`;
    const resolved = this.registry.resolve(this.ref);
    const metrics = Object.entries(manifest.metrics);
    const params = Object.entries(manifest.lineage.params);
    const git = manifest.lineage.git;
    const lineage: TreeNode[] = git
      ? Object.entries(git)
          .filter(([, value]) => value !== undefined && value !== null && typeof value !== 'object')
          .map(([key, value]) => new DetailNode(`${base}git:${key}`, key, String(value), 'git-commit'))
      : [new DetailNode(`${base}git:none`, 'git', 'not a git repository', 'git-commit')];
    const environment = Object.entries(manifest.lineage.environment).filter(([, value]) => typeof value !== 'object');
    return [
      new SectionNode(`${base}artifacts`, 'Artifacts', 'files', () => resolved.artifacts.map((artifact) => new ArtifactNode(details.model, details.number, artifact, manifest.artifacts.find((recorded) => recorded.path === artifact.path)?.inspection)), resolved.artifacts.length),
      ...(details.aliases.length > 0 ? [new SectionNode(`${base}aliases`, 'Aliases', 'tag', () => details.aliases.map((alias) => new AliasNode(this.id, details.model, details.number, alias)), details.aliases.length)] : []),
      new SectionNode(`${base}metrics`, 'Metrics', 'graph', () =>
        metrics.map(([name, metric]) => new DetailNode(`${base}metric:${name}`, name, `${metric.value}${metric.direction ? ` (${metric.direction === 'max' ? 'higher' : 'lower'} is better)` : ''}`, 'pulse')),
      metrics.length),
      new SectionNode(`${base}params`, 'Params', 'settings', () => params.map(([name, value]) => new DetailNode(`${base}param:${name}`, name, JSON.stringify(value), 'symbol-constant')), params.length),
      new SectionNode(`${base}lineage`, 'Lineage', 'git-branch', () => [
        ...lineage,
        ...environment.map(([key, value]) => new DetailNode(`${base}env:${key}`, key, String(value), 'server-environment')),
      ]),
      new SectionNode(`${base}data`, 'Data', 'database', () =>
        manifest.lineage.data.map((data, index) => new DataEntryNode(`${base}data:${index}`, data)),
      manifest.lineage.data.length),
      new SectionNode(`${base}events`, 'Events', 'history', () =>
        this.registry
          .log({ model: details.model })
          .filter((event) => event.version === details.number)
          .map((event) => {
            const row = eventRow(event);
            return new DetailNode(`${base}event:${event.seq}`, row.label, row.description, 'history', row.tooltip, row.accessibilityLabel);
          }),
      ),
    ];
  }
}
