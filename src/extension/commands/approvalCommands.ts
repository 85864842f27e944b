import * as vscode from 'vscode';
import type { ApprovalRequest } from '../../core/governance/approvals';
import { gateEvaluationText } from '../../core/governance/governanceReports';
import { formatRef } from '../../core/refs';
import type { Registry } from '../../registry/registry';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { ApprovalRequestNode, openApprovalRequests } from '../tree/approvalsTreeProvider';
import type { CommandContext, CommandTable } from './commandContext';

/** What a keybinding, task or test may pass instead of answering prompts. */
interface ReviewOptions {
  request?: string;
  decision?: 'approve' | 'reject';
  reason?: string;
}

/**
 * Review Pending Approvals…: pick a request, see the candidate against its model's Production (the
 * comparison page) and, beside it, the candidate's page with the policy's gates and the request's
 * Approve…/Reject… buttons; a notification offers the same, so nothing modal covers the pages.
 * The registry refuses a reviewer who registered the version.
 */
export function approvalCommands(context: CommandContext): CommandTable {
  return {
    [CommandIds.reviewApprovals]: (options) => review(context, (options ?? {}) as ReviewOptions),
    [CommandIds.reviewApprovalRequest]: (target, options) => review(context, { ...((options ?? {}) as ReviewOptions), request: requestIdFrom(target) }),
    [CommandIds.approveRequest]: (target, options) => approveFromTree(context, target, (options ?? {}) as DecisionOptions),
    [CommandIds.rejectRequest]: (target, options) => rejectFromTree(context, target, (options ?? {}) as DecisionOptions),
  };
}

async function review(context: CommandContext, options: ReviewOptions = {}): Promise<ApprovalRequest | undefined> {
  const { session } = context;
  if (!requireTrust('Reviewing approvals')) return undefined;
  const registry = await session.get();
  const pending = registry.approvalRequests({ pending: true });
  const request = options.request ? pending.find((candidate) => candidate.id === options.request) : await pickRequest(pending);
  if (!request) {
    if (options.request) throw new Error(`No pending approval request '${options.request}'. See them with: mreg requests --pending`);
    return undefined;
  }
  const ref = formatRef(request.model, request.version);
  showEvidence(context, registry, request);
  const decision = options.decision;
  if (!decision) {
    offerDecision(request);
    return request;
  }
  const reason =
    options.reason ??
    (await vscode.window.showInputBox({
      title: `${decision === 'approve' ? 'Approve' : 'Reject'} ${ref} → ${request.stage}`,
      prompt: decision === 'approve' ? 'Comment, recorded in the audit log (optional)' : 'Why? The requester sees this in the audit log.',
      ignoreFocusOut: true,
      validateInput: (value) => (decision === 'reject' && !value.trim() ? 'A rejection needs a reason.' : undefined),
    }));
  if (reason === undefined) return undefined;
  if (decision === 'approve') return approve(context, registry, request, reason);
  const decided = await registry.reject(request.id, { reason: reason.trim() });
  void vscode.window.showInformationMessage(`Rejected ${ref} → ${decided.stage}.`);
  return decided;
}

/** The comparison against Production, and beside it the candidate's page: its gates for the stage and the request's buttons. */
function showEvidence(context: CommandContext, registry: Registry, request: ApprovalRequest): void {
  const { output, versionPanels } = context;
  const candidate = registry.version(formatRef(request.model, request.version));
  const production = registry.versionsInStage('Production').find((version) => version.model === request.model);
  if (production && production.number !== candidate.number) versionPanels.showComparison(production, candidate);
  versionPanels.showVersion(candidate, vscode.ViewColumn.Beside);
  output.info(gateEvaluationText(registry.promotionGates(formatRef(request.model, request.version), request.stage)));
}

/**
 * Approve from the Pending Approvals view: records this reviewer's approval and, once the request
 * has all it needs, carries out the move it asked for (the gates are evaluated as by Promote).
 */

async function approveFromTree(context: CommandContext, target: unknown, options: DecisionOptions = {}): Promise<ApprovalRequest | undefined> {
  const { session } = context;
  if (!requireTrust('Approving')) return undefined;
  const registry = await session.get();
  const request = requestFrom(registry, target);
  const ref = formatRef(request.model, request.version);
  let reason: string | undefined = '';
  if (request.status === 'pending') {
    reason = options.reason ?? (await vscode.window.showInputBox({ title: `Approve ${ref} → ${request.stage}`, prompt: 'Comment, recorded in the audit log (optional)', ignoreFocusOut: true }));
    if (reason === undefined) return undefined;
  }
  return approve(context, registry, request, reason);
}

/**
 * The one Approve of the extension (Review and the view's inline ✓): the registry records the
 * approval and, when it was the last one needed, promotes with the gates evaluated.
 */

async function approve(context: CommandContext, registry: Registry, request: ApprovalRequest, reason: string): Promise<ApprovalRequest> {
  const { output } = context;
  const ref = formatRef(request.model, request.version);
  const outcome = await registry.approve(request.id, { reason: reason.trim() || undefined });
  if (outcome.promoted) {
    void vscode.window.showInformationMessage(`Approved: ${ref} is now in ${request.stage}.`);
    return outcome.request;
  }
  if (outcome.gates) {
    output.error(gateEvaluationText(outcome.gates));
    output.show(true);
    throw new Error(`${ref} has its approvals but other gates keep it out of ${request.stage}; the Model Registry output lists them.`);
  }
  void vscode.window.showInformationMessage(`Approved ${ref} → ${request.stage}: ${outcome.request.approvals.length} of ${outcome.request.needed} approval(s) so far.`);
  return outcome.request;
}

async function rejectFromTree(context: CommandContext, target: unknown, options: DecisionOptions = {}): Promise<ApprovalRequest | undefined> {
  const { session } = context;
  if (!requireTrust('Rejecting')) return undefined;
  const registry = await session.get();
  const request = requestFrom(registry, target);
  const ref = formatRef(request.model, request.version);
  const reason =
    options.reason ??
    (await vscode.window.showInputBox({
      title: `Reject ${ref} → ${request.stage}`,
      prompt: 'Why? The requester sees this in the audit log.',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'A rejection needs a reason.'),
    }));
  if (reason === undefined) return undefined;
  const decided = await registry.reject(request.id, { reason: reason.trim() });
  void vscode.window.showInformationMessage(`Rejected ${ref} → ${request.stage}.`);
  return decided;
}

interface DecisionOptions {
  reason?: string;
}

/** A tree node of the Pending Approvals view, or `{ request: id }` from a keybinding or test. */
function requestIdFrom(target: unknown): string | undefined {
  if (target instanceof ApprovalRequestNode) return target.request.id;
  const id = (target as { request?: unknown } | undefined)?.request;
  return typeof id === 'string' ? id : undefined;
}

function requestFrom(registry: Registry, target: unknown): ApprovalRequest {
  const id = requestIdFrom(target);
  const request = openApprovalRequests(registry).find((candidate) => candidate.id === id);
  if (!request) throw new Error(`No open approval request '${id ?? ''}': it was decided or completed meanwhile. See them with: mreg requests`);
  return request;
}

async function pickRequest(pending: ApprovalRequest[]): Promise<ApprovalRequest | undefined> {
  if (pending.length === 0) {
    void vscode.window.showInformationMessage('No approval requests are waiting. Ask for one with Request Approval… on a version (or mreg request <model>/<number> <stage>).');
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    pending.map((request) => ({
      label: `${formatRef(request.model, request.version)} → ${request.stage}`,
      description: `${request.approvals.length} of ${request.needed} approval(s) · requested by ${request.requestedBy}`,
      detail: request.reason ?? undefined,
      request,
    })),
    { title: 'Review Pending Approvals', placeHolder: 'Choose a request: its comparison against Production opens beside' },
  );
  return choice?.request;
}

/** Approve…/Reject… in a notification: the pages stay readable; the buttons run the view's Approve and Reject. */
function offerDecision(request: ApprovalRequest): void {
  const ref = formatRef(request.model, request.version);
  void vscode.window
    .showInformationMessage(
      `Review ${ref} → ${request.stage}: requested by ${request.requestedBy}${request.reason ? `: ${request.reason}` : ''}. Its comparison against Production and its gates are open.`,
      'Approve…',
      'Reject…',
    )
    .then(async (choice) => {
      if (choice === 'Approve…') await vscode.commands.executeCommand(CommandIds.approveRequest, { request: request.id });
      if (choice === 'Reject…') await vscode.commands.executeCommand(CommandIds.rejectRequest, { request: request.id });
    });
}
