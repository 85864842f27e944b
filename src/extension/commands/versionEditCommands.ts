import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { RegistryError } from '../../core/registryError';
import type { DeletionReport } from '../../registry/registry';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { describeVersion, pickModel, pickVersion, versionsFromArguments } from '../flows/versionPicker';
import { parseTagListText, tagChanges, tagListText } from '../flows/tagListText';
import { AliasNode } from '../tree/aliasNode';
import { ModelNode } from '../tree/modelNode';
import type { CommandContext, CommandTable } from './commandContext';

/** What a keybinding, task or test may pass instead of answering prompts. */
interface EditOptions {
  description?: string | null;
  tags?: Record<string, string | null>;
  reason?: string;
}

/**
 * Edit Description…, Edit Tags…, Delete Version…, Delete Model… and Remove Alias…: the registry's
 * updateVersion, deleteVersion, deleteModel and removeAlias (what mreg describe, tag, delete,
 * delete-model and unalias call), each behind the prompts a person needs. Deleting asks in a modal
 * that names exactly what goes, then for the reason the audit log keeps.
 */
export function versionEditCommands(context: CommandContext): CommandTable {
  return {
    [CommandIds.editDescription]: (clicked, selected, options) => editDescription(context, clicked, selected, options),
    [CommandIds.editTags]: (clicked, selected, options) => editTags(context, clicked, selected, options),
    [CommandIds.deleteVersion]: (clicked, selected, options) => deleteVersionFlow(context, clicked, selected, options),
    [CommandIds.deleteModel]: (clicked, _selected, options) => deleteModelFlow(context, clicked, options),
    [CommandIds.removeAlias]: (clicked, selected, alias) => removeAliasFlow(context, clicked, selected, alias),
  };
}

/** The version a command acts on: the clicked node, the selection, a reference passed in, or asked for. */
async function version(context: CommandContext, clicked: unknown, selected: unknown, title: string): Promise<ModelVersion | undefined> {
  const registry = await context.session.get();
  return versionsFromArguments(registry, clicked, selected)[0] ?? (await pickVersion(registry, title));
}

/** Edit Description…: the current text to edit; empty removes it. */
async function editDescription(context: CommandContext, clicked: unknown, selected: unknown, options: unknown): Promise<unknown> {
  if (!requireTrust('Editing a description')) return undefined;
  const chosen = await version(context, clicked, selected, 'Edit Description');
  if (!chosen) return undefined;
  const given = (options ?? {}) as EditOptions;
  const ref = formatRef(chosen.model, chosen.number);
  let description = given.description;
  if (description === undefined) {
    const typed = await vscode.window.showInputBox({
      title: `Edit the description of ${ref}`,
      prompt: 'Registry metadata, not part of the manifest: the version stays the same version. Empty removes it.',
      value: chosen.description ?? '',
      ignoreFocusOut: true,
    });
    if (typed === undefined || typed.trim() === (chosen.description ?? '')) return undefined;
    description = typed.trim() === '' ? null : typed.trim();
  }
  const registry = await context.session.get();
  const updated = await registry.updateVersion(ref, { description, reason: given.reason });
  void vscode.window.showInformationMessage(description === null ? `Removed the description of ${ref}.` : `Described ${ref}.`);
  return updated;
}

/** Edit Tags…: every tag on one line to edit; a tag left out is removed. */
async function editTags(context: CommandContext, clicked: unknown, selected: unknown, options: unknown): Promise<unknown> {
  if (!requireTrust('Editing tags')) return undefined;
  const chosen = await version(context, clicked, selected, 'Edit Tags');
  if (!chosen) return undefined;
  const given = (options ?? {}) as EditOptions;
  const ref = formatRef(chosen.model, chosen.number);
  let tags = given.tags;
  if (tags === undefined) {
    const typed = await vscode.window.showInputBox({
      title: `Edit the tags of ${ref}`,
      prompt: "key=value pairs separated by ';' (a value may not hold ';'); leave a tag out to remove it. Tags are registry metadata, not part of the manifest.",
      value: tagListText(chosen.tags),
      ignoreFocusOut: true,
      validateInput: (value) => {
        const parsed = parseTagListText(value);
        return 'problem' in parsed ? parsed.problem : undefined;
      },
    });
    if (typed === undefined) return undefined;
    const parsed = parseTagListText(typed);
    if ('problem' in parsed) throw new RegistryError('INVALID_INPUT', parsed.problem);
    tags = tagChanges(chosen.tags, parsed.tags);
  }
  if (Object.keys(tags).length === 0) return undefined;
  const registry = await context.session.get();
  const updated = await registry.updateVersion(ref, { tags, reason: given.reason });
  void vscode.window.showInformationMessage(`Updated the tags of ${ref}.`);
  return updated;
}

/** Delete Version…: the modal names the version, its stage and the aliases that go with it. */
async function deleteVersionFlow(context: CommandContext, clicked: unknown, selected: unknown, options: unknown): Promise<unknown> {
  if (!requireTrust('Deleting a version')) return undefined;
  const chosen = await version(context, clicked, selected, 'Delete Version');
  if (!chosen) return undefined;
  const ref = formatRef(chosen.model, chosen.number);
  const aliases = chosen.aliases.length > 0 ? ` Its aliases go with it: ${chosen.aliases.map((alias) => `${chosen.model}@${alias}`).join(', ')}.` : '';
  const reason = await confirmDeletion(context, ref, {
    question: `Delete ${ref} (${describeVersion(chosen) || 'no stage'})?`,
    detail: `${ref} leaves every listing, here and on every clone after sync; resolving it then says who deleted it, when and why. Its number is never given again and the audit log keeps its history.${aliases} Its files are removed by garbage collection after the grace period, not now.`,
    button: 'Delete Version',
    given: (options ?? {}) as EditOptions,
  });
  if (reason === undefined) return undefined;
  const registry = await context.session.get();
  return announce(await registry.deleteVersion(ref, { reason }));
}

/** Delete Model…: the modal lists every version that goes. */
async function deleteModelFlow(context: CommandContext, clicked: unknown, options: unknown): Promise<unknown> {
  if (!requireTrust('Deleting a model')) return undefined;
  const registry = await context.session.get();
  const model = clicked instanceof ModelNode ? clicked.model.name : typeof clicked === 'string' ? clicked : await pickModel(registry, 'Delete Model');
  if (!model) return undefined;
  const versions = registry.versions(model);
  const listed = versions.length === 0 ? 'It has no versions left.' : `${versions.length === 1 ? 'Its one version goes' : `Its ${versions.length} versions go`} with it: ${versions.map((v) => `#${v.number}${v.stage === 'None' ? '' : ` (${v.stage})`}${v.aliases.length > 0 ? ` @${v.aliases.join(' @')}` : ''}`).join(', ')}.`;
  const reason = await confirmDeletion(context, model, {
    question: `Delete the model ${model} and all its versions?`,
    detail: `${listed} The model leaves every listing, here and on every clone after sync; its name stays taken with its history in the audit log. Files are removed by garbage collection after the grace period, not now.`,
    button: 'Delete Model',
    given: (options ?? {}) as EditOptions,
  });
  if (reason === undefined) return undefined;
  return announce(await registry.deleteModel(model, { reason }));
}

/** Remove Alias…: on an alias node, or a version (which alias, when it holds several). */
async function removeAliasFlow(context: CommandContext, clicked: unknown, selected: unknown, alias: unknown): Promise<unknown> {
  if (!requireTrust('Removing an alias')) return undefined;
  const registry = await context.session.get();
  let model: string | undefined;
  let name = typeof alias === 'string' ? alias : undefined;
  if (clicked instanceof AliasNode) [model, name] = [clicked.model, clicked.alias];
  else {
    const chosen = await version(context, clicked, selected, 'Remove Alias');
    if (!chosen) return undefined;
    model = chosen.model;
    if (chosen.aliases.length === 0) {
      void vscode.window.showInformationMessage(`${formatRef(chosen.model, chosen.number)} holds no alias.`);
      return undefined;
    }
    name ??= chosen.aliases.length === 1 ? chosen.aliases[0] : await vscode.window.showQuickPick(chosen.aliases, { title: `Remove an alias of ${formatRef(chosen.model, chosen.number)}` });
  }
  if (!model || !name) return undefined;
  const target = registry.version(`${model}@${name}`);
  if (typeof alias !== 'string') {
    const confirmed = await vscode.window.showWarningMessage(
      `Remove the alias ${model}@${name}?`,
      { modal: true, detail: `It points at ${formatRef(model, target.number)}. Code that resolves ${model}@${name} fails until the alias is set again (Set Alias…); the version itself stays.` },
      'Remove Alias',
    );
    if (confirmed !== 'Remove Alias') return undefined;
  }
  await registry.removeAlias(model, name);
  void vscode.window.showInformationMessage(`Removed ${model}@${name} (it pointed at ${formatRef(model, target.number)}).`);
  return { model, alias: name, version: target.number };
}

/**
 * Checks the rules first (a Production version, the policy), so nothing is asked that would be
 * refused; then the modal naming what goes, then the reason. Undefined when the person stops.
 */
async function confirmDeletion(context: CommandContext, ref: string, ask: { question: string; detail: string; button: string; given: EditOptions }): Promise<string | undefined> {
  const registry = await context.session.get();
  const refusals = registry.deletionRefusals(ref);
  if (refusals.length > 0) throw new RegistryError('CONFLICT', refusals.join(' '));
  if (ask.given.reason !== undefined) return ask.given.reason;
  const confirmed = await vscode.window.showWarningMessage(ask.question, { modal: true, detail: ask.detail }, ask.button);
  if (confirmed !== ask.button) return undefined;
  const reason = await vscode.window.showInputBox({
    title: `${ask.button}: ${ref}`,
    prompt: 'Why? Recorded in the audit log and shown to anyone who resolves it later.',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'A deletion needs a reason, e.g. "trained on leaked labels".'),
  });
  return reason?.trim() || undefined;
}

function announce(report: DeletionReport): DeletionReport {
  const versions = report.versions.map((version) => formatRef(report.model, version.number));
  void vscode.window.showInformationMessage(report.modelDeleted ? `Deleted the model ${report.model}${versions.length > 0 ? ` (${versions.join(', ')})` : ''}.` : `Deleted ${versions.join(', ')}.`);
  return report;
}
