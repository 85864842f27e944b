import * as vscode from 'vscode';
import { GateFailedError } from '../../core/governance/promotionGates';
import type { ModelVersion, RegisteredModel } from '../../core/modelVersion';
import { aliasNameProblem } from '../../core/names';
import { formatRef } from '../../core/refs';
import { parseStage, STAGES, type Stage } from '../../core/stage';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { aliasesLeftBehind } from '../flows/aliasesLeftBehind';
import { mayProceed, offerGateRemedies, pickPromotionStage } from '../flows/promotionGuard';
import { describeVersion, pickVersion, versionsFromArguments } from '../flows/versionPicker';
import { ModelNode } from '../tree/modelNode';
import { VersionNode } from '../tree/versionNode';
import type { CommandContext, CommandTable } from './commandContext';

/** Options a keybinding, task or test may pass instead of answering prompts. */
interface PromoteOptions {
  stage?: string;
  reason?: string;
}

/** Options a keybinding, task or test may pass to Roll Back Production instead of answering prompts. */
interface RollbackOptions {
  reason?: string;
}

/** Options a task or test may pass to Archive Version: no confirmation, and the reason instead of asking. */
interface ArchiveOptions {
  confirm?: boolean;
  reason?: string;
}

/** Stage changes and aliases: promote, archive, set alias, roll back Production. */
export function lifecycleCommands(context: CommandContext): CommandTable {
  return {
    [CommandIds.rollbackProduction]: (clicked, options) => rollback(context, clicked, (options ?? {}) as RollbackOptions),
    [CommandIds.promoteVersion]: (clicked, selected, options) => promote(context, clicked, selected, (options ?? {}) as PromoteOptions),
    [CommandIds.archiveVersion]: (clicked, selected, options) => archive(context, clicked, selected, (options ?? {}) as ArchiveOptions),
    [CommandIds.setAlias]: (clicked, selected, alias) => setAlias(context, clicked, selected, alias),
  };
}

async function promote(context: CommandContext, clicked?: unknown, selected?: unknown, options: PromoteOptions = {}): Promise<ModelVersion | undefined> {
  const { session, settings } = context;
  if (!requireTrust('Promoting')) return undefined;
  const registry = await session.get();
  const version = versionsFromArguments(registry, clicked, selected)[0] ?? (await pickVersion(registry, 'Promote Version'));
  if (!version) return undefined;
  const ref = formatRef(version.model, version.number);
  let stage: Stage | undefined = options.stage === undefined ? undefined : parseStage(options.stage);
  if (options.stage !== undefined && !stage) throw new Error(`Unknown stage '${options.stage}': use one of ${STAGES.join(', ')}.`);
  const interactive = stage === undefined;
  if (!stage) {
    const picked = await pickPromotionStage(registry, version, productionNote(registry.versionsInStage('Production').find((v) => v.model === version.model)));
    if (!picked) return undefined;
    // What the gates say is known before anything else is asked: no confirmation and reason for a move they refuse.
    if (!(await mayProceed(context, picked.guard))) return undefined;
    stage = picked.stage;
  }
  if (interactive && stage === 'Production' && settings.confirmPromoteToProduction()) {
    const current = registry.versionsInStage('Production').find((v) => v.model === version.model);
    const detail = current ? `${formatRef(current.model, current.number)} leaves Production and is archived; it stays available for rollback.` : 'No version of this model is in Production yet.';
    const confirmed = await vscode.window.showWarningMessage(`Promote ${ref} to Production?`, { modal: true, detail }, 'Promote');
    if (confirmed !== 'Promote') return undefined;
  }
  let reason = options.reason;
  if (interactive) {
    reason = await vscode.window.showInputBox({ title: `Promote ${ref} to ${stage}`, prompt: 'Reason, recorded in the audit log (optional)', ignoreFocusOut: true });
    if (reason === undefined) return undefined;
  }
  try {
    const promoted = await registry.promote(ref, stage, { reason: reason?.trim() || undefined });
    void vscode.window.showInformationMessage(`${ref} is now in ${stage}.`);
    return promoted;
  } catch (error) {
    // Refused by the gates (given a stage, or the registry changed since the picker): offer the remedies.
    if (!(error instanceof GateFailedError)) throw error;
    offerGateRemedies(context, error.evaluation);
    return undefined;
  }
}

async function archive({ session, settings }: CommandContext, clicked?: unknown, selected?: unknown, options: ArchiveOptions = {}): Promise<ModelVersion[]> {
  if (!requireTrust('Archiving')) return [];
  const registry = await session.get();
  let versions = versionsFromArguments(registry, clicked, selected);
  if (versions.length === 0) {
    const picked = await pickVersion(registry, 'Archive Version', (version) => version.stage !== 'Archived');
    versions = picked ? [picked] : [];
  }
  versions = versions.filter((version) => version.stage !== 'Archived');
  if (versions.length === 0) return [];
  const names = versions.map((version) => formatRef(version.model, version.number)).join(', ');
  const interactive = options.confirm !== false;
  if (interactive && settings.confirmArchive()) {
    const left = versions.map((version) => aliasesLeftBehind(version.model, formatRef(version.model, version.number), version.aliases)).filter(Boolean);
    const confirmed = await vscode.window.showWarningMessage(`Archive ${names}?`, { modal: true, detail: ['Archived versions stay in the registry and can be promoted again.', ...left].join('\n\n') }, 'Archive');
    if (confirmed !== 'Archive') return [];
  }
  // Asked as promote and rollback ask: why a version left its stage belongs in the audit log too.
  let reason = options.reason;
  if (reason === undefined && interactive) {
    reason = await vscode.window.showInputBox({ title: `Archive ${names}`, prompt: 'Reason, recorded in the audit log (optional)', ignoreFocusOut: true });
    if (reason === undefined) return [];
  }
  const archived: ModelVersion[] = [];
  for (const version of versions) archived.push(await registry.promote(formatRef(version.model, version.number), 'Archived', { reason: reason?.trim() || undefined }));
  return archived;
}

async function setAlias({ session }: CommandContext, clicked?: unknown, selected?: unknown, alias?: unknown): Promise<ModelVersion | undefined> {
  if (!requireTrust('Setting an alias')) return undefined;
  const registry = await session.get();
  const version = versionsFromArguments(registry, clicked, selected)[0] ?? (await pickVersion(registry, 'Set Alias'));
  if (!version) return undefined;
  const ref = formatRef(version.model, version.number);
  const name =
    typeof alias === 'string'
      ? alias
      : await vscode.window.showInputBox({
          title: `Set an alias on ${ref} (${describeVersion(version) || 'no stage'})`,
          prompt: 'An alias such as champion or challenger; it moves here from any other version of the model.',
          ignoreFocusOut: true,
          validateInput: (value) => aliasNameProblem(value.trim()),
        });
  if (!name) return undefined;
  const updated = await registry.setAlias(ref, name.trim());
  void vscode.window.showInformationMessage(`${version.model}@${name.trim()} now points at ${ref}.`);
  return updated;
}

async function rollback({ session }: CommandContext, clicked?: unknown, options: RollbackOptions = {}): Promise<{ current: ModelVersion; target: ModelVersion } | undefined> {
  if (!requireTrust('Rolling back Production')) return undefined;
  const registry = await session.get();
  const model = modelFromArgument(clicked) ?? (await pickModelInProduction(registry.models()));
  if (!model) return undefined;
  // Fails with the reason (nothing in Production, no earlier version) before anything is asked.
  const { current, target } = registry.rollbackPlan(model);
  const from = formatRef(model, current.number);
  const to = formatRef(model, target.number);
  let reason = options.reason;
  if (reason === undefined) {
    const confirmed = await vscode.window.showWarningMessage(
      `Roll back ${model} from ${from} to ${to}?`,
      { modal: true, detail: [`${to} (${describeVersion(target)}) returns to Production; ${from} is archived and stays available. Both changes are logged as a rollback.`, aliasesLeftBehind(model, from, current.aliases)].filter(Boolean).join('\n\n') },
      'Roll Back',
    );
    if (confirmed !== 'Roll Back') return undefined;
    reason = await vscode.window.showInputBox({
      title: `Roll back ${model} to ${to}`,
      prompt: 'Why? Recorded in the audit log with both stage changes.',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim() ? undefined : 'A rollback needs a reason, e.g. "latency regression in production".'),
    });
    if (!reason) return undefined;
  }
  const outcome = await registry.rollback(model, { reason: reason.trim() });
  void vscode.window.showInformationMessage([`${model}: ${to} is back in Production; ${from} is archived.`, aliasesLeftBehind(model, from, outcome.current.aliases)].filter(Boolean).join(' '));
  return outcome;
}

function productionNote(current: ModelVersion | undefined): string | undefined {
  return current ? `archives #${current.number}, now in Production` : undefined;
}

/** The model a tree node or a keybinding's argument names. */
function modelFromArgument(argument: unknown): string | undefined {
  if (argument instanceof ModelNode) return argument.model.name;
  if (argument instanceof VersionNode) return argument.version.model;
  return typeof argument === 'string' ? argument : undefined;
}

async function pickModelInProduction(models: RegisteredModel[]): Promise<string | undefined> {
  const candidates = models.filter((model) => model.productionVersion !== null);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('No model has a version in Production, so there is nothing to roll back.');
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    candidates.map((model) => ({ label: model.name, description: `#${model.productionVersion} in Production` })),
    { title: 'Roll Back Production', placeHolder: 'Choose the model whose Production version goes back one step' },
  );
  return choice?.label;
}
