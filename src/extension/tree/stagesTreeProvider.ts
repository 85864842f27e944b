import * as vscode from 'vscode';
import type { Stage } from '../../core/stage';
import type { RegistrySession } from '../registrySession';
import type { ExpansionMemory } from './expansionMemory';
import { stageIcon } from './stagePresentation';
import { TreeNode } from './treeNode';
import { VersionNode } from './versionNode';
import { RegistryTreeProvider } from './registryTreeProvider';
import type { Registry } from '../../registry/registry';
import { ContextValues } from './contextValues';

const SHOWN_STAGES: Stage[] = ['Production', 'Staging', 'Archived'];

class StageNode extends TreeNode {
  readonly id: string;

  constructor(
    private readonly registry: Registry,
    readonly stage: Stage,
    private readonly expanded: boolean,
  ) {
    super();
    this.id = `stage:${stage}`;
  }

  toTreeItem(): vscode.TreeItem {
    const count = this.registry.versionsInStage(this.stage).length;
    const item = new vscode.TreeItem(this.stage, count === 0 ? vscode.TreeItemCollapsibleState.None : this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.description = String(count);
    item.iconPath = stageIcon(this.stage);
    item.contextValue = ContextValues.stage;
    return item;
  }

  override getChildren(): TreeNode[] {
    return this.registry.versionsInStage(this.stage).map((version) => new VersionNode(this.registry, version, true));
  }
}

/** Production / Staging / Archived across all models. */
export class StagesTreeProvider extends RegistryTreeProvider {
  constructor(
    session: RegistrySession,
    private readonly expansion: ExpansionMemory,
  ) {
    super(session);
  }

  protected roots(registry: Registry): TreeNode[] {
    if (SHOWN_STAGES.every((stage) => registry.versionsInStage(stage).length === 0)) return [];
    return SHOWN_STAGES.map((stage) => new StageNode(registry, stage, stage === 'Production' || this.expansion.isExpanded(`stage:${stage}`)));
  }
}
