import * as vscode from 'vscode';
import type { ApprovalRequest } from '../../core/governance/approvals';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { parseStage, STAGES, type Stage } from '../../core/stage';
import type { Registry, StageGuard } from '../../registry/registry';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { approvalCount, failingRules } from '../flows/stageGuardHints';
import { pickVersion, versionsFromArguments } from '../flows/versionPicker';
import type { CommandContext, CommandTable } from './commandContext';

/** What a keybinding, task, test or the version page may pass instead of answering prompts. */
interface GovernanceOptions {
  stage?: string;
  reason?: string;
}

/**
 * Governance from the editor, through the registry calls `mreg` makes: Request Approval… (as
 * `mreg request`) and Override… (as `mreg promote --override --reason`), the latter only where the
 * policy allows overriding every failing rule.
 */
export function governanceCommands(context: CommandContext): CommandTable {
  return {
    [CommandIds.requestApproval]: (clicked, selected, options) => requestApproval(context, clicked, selected, (options ?? {}) as GovernanceOptions),
    [CommandIds.overridePromotion]: (target, stage, options) => overridePromotion(context, target, stage, (options ?? {}) as GovernanceOptions),
  };
}

async function requestApproval(context: CommandContext, clicked: unknown, selected: unknown, options: GovernanceOptions): Promise<ApprovalRequest | undefined> {
  if (!requireTrust('Requesting approval')) return undefined;
  const registry = await context.session.get();
  const version = versionsFromArguments(registry, clicked, selected)[0] ?? (await pickVersion(registry, 'Request Approval'));
  if (!version) return undefined;
  const ref = formatRef(version.model, version.number);
  const stage = options.stage === undefined ? await pickGuardedStage(registry, version) : stageFrom(options.stage);
  if (!stage) return undefined;
  const reason =
    options.reason ??
    (await vscode.window.showInputBox({ title: `Request approval: ${ref} → ${stage}`, prompt: 'Why, for the reviewers and the audit log (optional)', ignoreFocusOut: true }));
  if (reason === undefined) return undefined;
  const request = await registry.requestApproval(ref, stage, { reason: reason.trim() || undefined });
  void vscode.window.showInformationMessage(`Requested approval for ${ref} → ${stage} (request ${request.id}, needs ${approvalCount(request.needed)}). Reviewers find it in Pending Approvals.`);
  return request;
}

/** The stages whose rules ask for approvals: the only ones a request can make a difference for. */
async function pickGuardedStage(registry: Registry, version: ModelVersion): Promise<Stage | undefined> {
  const ref = formatRef(version.model, version.number);
  const guards = registry.stageGuards(ref).filter((guard) => guard.approvalsNeeded > 0);
  if (guards.length === 0) {
    const choice = await vscode.window.showInformationMessage(`The policy asks no approvals for moving ${ref} to another stage: promote it directly.`, 'Promote…');
    if (choice === 'Promote…') await vscode.commands.executeCommand(CommandIds.promoteVersion, ref);
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    guards.map((guard) => ({ label: guard.stage, description: `needs ${approvalCount(guard.approvalsNeeded)}`, detail: openRequestNote(guard), guard })),
    { title: `Request approval for ${ref} (now ${version.stage})`, placeHolder: 'Choose the stage reviewers are asked to approve' },
  );
  if (!choice) return undefined;
  const open = choice.guard.openRequests[0];
  if (open) {
    const next = await vscode.window.showInformationMessage(`Request ${open.id} already asks to move ${ref} to ${open.stage} (${open.status}, ${open.approvals.length} of ${open.needed} approval(s)).`, 'Show Pending Approvals');
    if (next) await vscode.commands.executeCommand('modelRegistry.approvals.focus');
    return undefined;
  }
  return choice.guard.stage;
}

function openRequestNote(guard: StageGuard): string | undefined {
  const open = guard.openRequests[0];
  return open ? `already requested: ${open.id}, ${open.status}, ${open.approvals.length} of ${open.needed} so far` : undefined;
}

/**
 * Promotes past failing gates, as `mreg promote --override --reason`: the policy must allow an
 * override of every failing rule, and the reason is required (the registry records both).
 */
async function overridePromotion(context: CommandContext, target: unknown, stageArgument: unknown, options: GovernanceOptions): Promise<ModelVersion | undefined> {
  if (!requireTrust('Overriding promotion gates')) return undefined;
  const registry = await context.session.get();
  const version = versionsFromArguments(registry, target, undefined)[0];
  if (!version) throw new Error('Override… acts on a version whose promotion the gates refused: use it from the refusal notification or the version page.');
  const stage = stageFrom(typeof stageArgument === 'string' ? stageArgument : (options.stage ?? ''));
  const ref = formatRef(version.model, version.number);
  const evaluation = registry.promotionGates(ref, stage);
  if (evaluation.passed) {
    const choice = await vscode.window.showInformationMessage(`${ref} passes every gate for ${stage} now: no override is needed.`, 'Promote…');
    if (choice === 'Promote…') await vscode.commands.executeCommand(CommandIds.promoteVersion, ref);
    return undefined;
  }
  if (!evaluation.overridable) {
    const locked = evaluation.results.filter((result) => !result.passed && !result.overridable).map((result) => result.rule);
    throw new Error(`The policy does not allow overriding what keeps ${ref} out of ${stage} (${locked.join('; ')}). Nothing was changed.`);
  }
  const bypassed = failingRules(evaluation);
  const reason =
    options.reason ??
    (await vscode.window.showInputBox({
      title: `Override: promote ${ref} to ${stage}`,
      prompt: `Bypasses ${bypassed.join('; ')}. Why? Recorded in the audit log with the override.`,
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'An override needs a reason, for the audit log.'),
    }));
  if (reason === undefined) return undefined;
  const promoted = await registry.promote(ref, stage, { override: true, reason: reason.trim() });
  void vscode.window.showInformationMessage(`Overridden: ${ref} is now in ${stage}. ${bypassed.length} failing rule(s) bypassed; the override and its reason are in the audit log.`);
  return promoted;
}

function stageFrom(text: string): Stage {
  const stage = parseStage(text);
  if (!stage) throw new Error(`Unknown stage '${text}': use one of ${STAGES.join(', ')}.`);
  return stage;
}
