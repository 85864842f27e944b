import * as vscode from 'vscode';
import { gateEvaluationText } from '../../core/governance/governanceReports';
import type { GateEvaluation } from '../../core/governance/promotionGates';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { STAGES, type Stage } from '../../core/stage';
import type { Registry, StageGuard } from '../../registry/registry';
import { CommandIds } from '../commandIds';
import type { CommandContext } from '../commands/commandContext';
import { approvalCount, approvalsMissing, failingRules, stageGuardHint } from './stageGuardHints';

/**
 * Promoting where the policy guards the target stage: the picker says which stages are guarded and
 * what their gates say now, before any confirmation or reason is asked; a stage that needs
 * approvals offers Request Approval… instead; a refusal offers Override… (where allowed) and the
 * gate report.
 */

/** The target stage, each guarded one described by its approvals and gates (evaluated read-only), with the guard of the one chosen. */
export async function pickPromotionStage(registry: Registry, version: ModelVersion, productionNote: string | undefined): Promise<{ stage: Stage; guard: StageGuard | undefined } | undefined> {
  const ref = formatRef(version.model, version.number);
  const guards = registry.stageGuards(ref);
  const choice = await vscode.window.showQuickPick(
    STAGES.filter((candidate) => candidate !== version.stage).map((stage) => {
      const guard = guards.find((candidate) => candidate.stage === stage);
      const icon = !guard ? '' : guard.evaluation.passed ? '$(pass) ' : '$(shield) ';
      return { label: `${icon}${stage}`, stage, description: stage === 'Production' ? productionNote : undefined, detail: guard ? stageGuardHint(guard) : undefined };
    }),
    { title: `Promote ${ref} (now ${version.stage})`, placeHolder: guards.length > 0 ? 'Choose the stage; guarded stages say what their rules need' : 'Choose the stage', matchOnDetail: false },
  );
  return choice && { stage: choice.stage, guard: guards.find((candidate) => candidate.stage === choice.stage) };
}

/**
 * Whether promoting may go on to the confirmation and the reason: not when the gates for the stage
 * fail now. Missing approvals offer Request Approval… (someone else must act first); other failures
 * show the refusal with its remedies. Returns false when the caller should stop.
 */
export async function mayProceed(context: CommandContext, guard: StageGuard | undefined): Promise<boolean> {
  if (!guard || guard.evaluation.passed) return true;
  if (!approvalsMissing(guard.evaluation)) {
    offerGateRemedies(context, guard.evaluation);
    return false;
  }
  await offerApprovalRequest(guard);
  return false;
}

async function offerApprovalRequest(guard: StageGuard): Promise<void> {
  const { evaluation } = guard;
  const ref = formatRef(evaluation.model, evaluation.version);
  const open = guard.openRequests[0];
  const others = evaluation.results.filter((result) => !result.passed && result.kind !== 'approvals').map((result) => result.rule);
  const detail = [
    open
      ? `Request ${open.id} asks for it (${open.approvals.length} of ${open.needed} so far); reviewers approve it in Pending Approvals, and the last approval needed promotes it.`
      : 'No request is open yet: ask for one, and the last approval needed promotes the version (the gates evaluated then).',
    others.length > 0 ? `Other rules fail too: ${others.join('; ')}.` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const actions = [...(open ? ['Show Pending Approvals'] : ['Request Approval…']), ...(evaluation.overridable ? ['Override…'] : [])];
  const choice = await vscode.window.showWarningMessage(`Moving ${ref} to ${guard.stage} needs ${approvalCount(guard.approvalsNeeded)} by someone other than its registrant.`, { modal: true, detail }, ...actions);
  if (choice === 'Request Approval…') await vscode.commands.executeCommand(CommandIds.requestApproval, ref, undefined, { stage: guard.stage });
  if (choice === 'Show Pending Approvals') await vscode.commands.executeCommand('modelRegistry.approvals.focus');
  if (choice === 'Override…') await vscode.commands.executeCommand(CommandIds.overridePromotion, ref, guard.stage);
}

/**
 * A promotion the gates refused, said in a notification that offers what can be done: Override…
 * where the policy allows it, and the gate report on the version's page. Not awaited by callers,
 * so the command that was refused returns at once.
 */
export function offerGateRemedies(context: CommandContext, evaluation: GateEvaluation): void {
  const ref = formatRef(evaluation.model, evaluation.version);
  context.output.warn(gateEvaluationText(evaluation));
  const failed = failingRules(evaluation);
  const actions = [...(evaluation.overridable ? ['Override…'] : []), 'Show Gate Report'];
  const verdict = evaluation.overridable ? 'The policy allows an override, with a reason.' : 'The policy does not allow overriding them.';
  void vscode.window
    .showErrorMessage(`${ref} may not move to ${evaluation.stage}: ${failed.length} of ${evaluation.results.length} rule(s) fail (${failed.join('; ')}). Nothing was changed. ${verdict}`, ...actions)
    .then(async (choice) => {
      if (choice === 'Override…') await vscode.commands.executeCommand(CommandIds.overridePromotion, ref, evaluation.stage);
      if (choice === 'Show Gate Report') context.versionPanels.showVersion((await context.session.get()).version(ref));
    });
}
