import * as vscode from 'vscode';
import type { ApprovalRequest } from '../../core/governance/approvals';
import { formatRef } from '../../core/refs';
import type { Registry } from '../../registry/registry';
import type { RegistrySession } from '../registrySession';
import { CommandIds } from '../commandIds';
import { RegistryTreeProvider } from './registryTreeProvider';
import { stageIcon } from './stagePresentation';
import { TreeNode } from './treeNode';
import { ContextValues } from './contextValues';
import { approvalTooltipMarkdown } from './approvalTooltip';

/** An open request to move a version into a stage: who asked, and the approvals so far. */
export class ApprovalRequestNode extends TreeNode {
  readonly id: string;

  constructor(readonly request: ApprovalRequest) {
    super();
    this.id = `approval:${request.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const { request } = this;
    const item = new vscode.TreeItem(`${formatRef(request.model, request.version)} → ${request.stage}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const progress = request.status === 'approved' ? 'approved, not yet promoted' : `${request.approvals.length} of ${request.needed} approval(s)`;
    item.description = `${progress} · ${request.requestedBy}`;
    item.iconPath = stageIcon(request.stage);
    // Menus: Review, Approve and Reject on pending requests; an approved one can still be promoted (Approve) or turned down.
    item.contextValue = ContextValues.approvalRequest(request.status);
    if (request.status === 'pending') item.command = { command: CommandIds.reviewApprovalRequest, title: 'Review', arguments: [this] };
    return item;
  }

  override tooltip(): vscode.MarkdownString {
    return new vscode.MarkdownString(approvalTooltipMarkdown(this.request), true);
  }
}

/** Pending Approvals: every open request, oldest first; empty shows the view's welcome text. */
export class ApprovalsTreeProvider extends RegistryTreeProvider {
  /** Read once per change, for the view and its badge alike: each read parses the requests' events. */
  private open: ApprovalRequest[] | undefined;

  constructor(session: RegistrySession) {
    super(session);
    // Registered before anyone else listens, so the view and the badge never see the list from before a change.
    this.onDidChangeTreeData(() => (this.open = undefined));
  }

  protected roots(registry: Registry): TreeNode[] {
    this.open ??= openApprovalRequests(registry);
    return this.open.map((request) => new ApprovalRequestNode(request));
  }
}

/** Requests still waiting for a decision or for the promotion they allow. */
export function openApprovalRequests(registry: Registry): ApprovalRequest[] {
  return registry.approvalRequests().filter((request) => request.status === 'pending' || request.status === 'approved');
}
