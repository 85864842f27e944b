import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/modelVersion';
import { isRegistryError, RegistryError } from '../../core/registryError';
import { MAX_COLUMNS } from '../../core/versionComparison';
import { LOAD_SNIPPET_KINDS, LOAD_SNIPPET_LABELS, loadSnippet, type LoadSnippetKind } from '../../core/loadSnippets';
import { formatRef } from '../../core/refs';
import { pullText } from '../../registry/registryReports';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { runWithProgress } from '../flows/progress';
import { pickModel, pickVersion, pickVersions, versionsFromArguments } from '../flows/versionPicker';
import { versionReferences } from '../flows/versionReferences';
import { versionDocumentUri } from '../registryDocuments';
import { ArtifactNode } from '../tree/artifactNode';
import { ModelNode } from '../tree/modelNode';
import { VersionNode } from '../tree/versionNode';
import type { CommandContext, CommandTable } from './commandContext';
import type { PullResult } from '../../registry/pullVersion';

/** Reading a version: compare two, show its manifest, copy its URI or the lines that load it, pull its artifacts. */
export function versionCommands(context: CommandContext): CommandTable {
  const { session } = context;

  async function oneVersion(clicked: unknown, selected: unknown, title: string): Promise<ModelVersion | undefined> {
    const registry = await session.get();
    return versionsFromArguments(registry, clicked, selected)[0] ?? (await pickVersion(registry, title));
  }

  return {
    // Two selected versions, one clicked and one asked for, or both asked for.
    [CommandIds.compareVersions]: async (clicked, selected) => {
      const registry = await session.get();
      const chosen = versionsFromArguments(registry, clicked, selected);
      const first = chosen[0] ?? (await pickVersion(registry, 'Compare Versions: the first version'));
      if (!first) return undefined;
      const second = chosen[1] ?? (await pickVersion(registry, `Compare ${formatRef(first.model, first.number)} with: the second version`, (v) => v.model !== first.model || v.number !== first.number));
      if (!second) return undefined;
      const [older, newer] = first.model === second.model && first.number > second.number ? [second, first] : [first, second];
      // The page; its Manifests section opens the same pair in VS Code's diff editor.
      context.versionPanels.showComparison(older, newer);
      return [older, newer];
    },
    // Two selected versions: the comparison page; three to five: the columns page. Nothing
    // selected (the palette): a model, then its versions.
    [CommandIds.compareSelectedVersions]: async (clicked, selected) => {
      const registry = await session.get();
      let chosen = versionsFromArguments(registry, clicked, selected);
      if (chosen.length === 0) chosen = await pickVersions(registry, 'Compare Selected Versions');
      if (chosen.length === 0) return undefined;
      if (chosen.length < 2 || chosen.length > MAX_COLUMNS) throw new RegistryError('INVALID_INPUT', `Select 2 to ${MAX_COLUMNS} versions to compare (${chosen.length} selected): Ctrl/Cmd-click versions in the Models view.`);
      if (chosen.length === 2) return vscode.commands.executeCommand(CommandIds.compareVersions, undefined, chosen.map((version) => formatRef(version.model, version.number)));
      const ordered = [...chosen].sort((a, b) => a.model.localeCompare(b.model) || a.number - b.number);
      context.versionPanels.showColumns(ordered);
      return ordered;
    },
    [CommandIds.showVersionDetails]: async (clicked, selected) => {
      const version = await oneVersion(clicked, selected, 'Show Version Details');
      if (!version) return undefined;
      context.versionPanels.showVersion(version);
      return version;
    },
    // A model node, a version node or name (its model), a model name, or asked for.
    [CommandIds.showMetricsChart]: async (clicked) => {
      const registry = await session.get();
      const model =
        clicked instanceof ModelNode ? clicked.model.name
        : clicked instanceof VersionNode ? clicked.version.model
        : typeof clicked === 'string' ? (registry.models().some((candidate) => candidate.name === clicked) ? clicked : registry.version(clicked).model)
        : await pickModel(registry, 'Show Metrics Chart');
      if (!model) return undefined;
      context.versionPanels.showChart(model);
      return model;
    },
    [CommandIds.showManifest]: async (clicked, selected) => {
      const version = await oneVersion(clicked, selected, 'Show Manifest');
      if (!version) return undefined;
      const document = await vscode.workspace.openTextDocument(versionDocumentUri(version.model, version.number));
      await vscode.window.showTextDocument(document, { preview: true });
      return document.uri;
    },
    // Asks which name to copy (stage, alias, pinned); a task or test may name it: { reference: 'models:/m/3' }.
    [CommandIds.copyVersionUri]: async (clicked, selected, options) => {
      const version = clicked instanceof ArtifactNode ? (await session.get()).version(formatRef(clicked.model, clicked.number)) : await oneVersion(clicked, selected, 'Copy Version URI');
      if (!version) return undefined;
      const offered = versionReferences(version);
      const wanted = (options as { reference?: unknown } | undefined)?.reference;
      const reference =
        typeof wanted === 'string'
          ? offered.find((candidate) => candidate.text === wanted)
          : await vscode.window.showQuickPick(offered.map((candidate) => ({ label: candidate.text, description: candidate.description, reference: candidate })), {
              title: `Copy a reference to ${formatRef(version.model, version.number)}`,
              placeHolder: 'Serving code usually asks for the stage or an alias; pin the number for reproducible runs',
            }).then((choice) => choice?.reference);
      if (!reference) {
        if (typeof wanted === 'string') throw new RegistryError('INVALID_INPUT', `'${wanted}' does not name ${formatRef(version.model, version.number)}: use one of ${offered.map((candidate) => candidate.text).join(', ')}.`);
        return undefined;
      }
      await vscode.env.clipboard.writeText(reference.text);
      void vscode.window.showInformationMessage(`Copied ${reference.text} (${reference.description}).`);
      return reference.text;
    },
    // One picker for every way to load the version; a keybinding, task or the page passes the kind.
    [CommandIds.copyLoadSnippet]: async (clicked, selected, kind) => {
      const version = await oneVersion(clicked, selected, 'Copy Load Snippet');
      if (!version) return undefined;
      const ref = formatRef(version.model, version.number);
      const chosen = LOAD_SNIPPET_KINDS.includes(kind as LoadSnippetKind)
        ? (kind as LoadSnippetKind)
        : (await vscode.window.showQuickPick(LOAD_SNIPPET_KINDS.map((candidate) => ({ ...LOAD_SNIPPET_LABELS[candidate], snippetKind: candidate })), { title: `Copy Load Snippet: how to load ${ref}`, placeHolder: 'Node.js, Python or mreg pull' }))?.snippetKind;
      if (!chosen) return undefined;
      const snippet = loadSnippet(chosen, version);
      await vscode.env.clipboard.writeText(snippet);
      void vscode.window.showInformationMessage(`Copied the ${LOAD_SNIPPET_LABELS[chosen].label} lines that load ${ref}.`);
      return snippet;
    },
    [CommandIds.pullVersion]: (clicked, selected, destination) => pullVersionToFolder(context, (title) => oneVersion(clicked, selected, title), destination),
  };
}

/** Pull Version to Folder…: the version's verified bytes into a folder (asked for unless given); asks before overwriting files that differ. */
async function pullVersionToFolder(context: CommandContext, chooseVersion: (title: string) => Promise<ModelVersion | undefined>, destination: unknown): Promise<PullResult | undefined> {
  const { session, output } = context;
  if (!requireTrust('Pulling a version')) return undefined;
  const version = await chooseVersion('Pull Version to Folder');
  if (!version) return undefined;
  const ref = formatRef(version.model, version.number);
  let folder = typeof destination === 'string' ? destination : undefined;
  if (!folder) {
    const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: `Pull ${ref} here`, defaultUri: session.workspaceFolder?.uri });
    folder = picked?.[0]?.fsPath;
  }
  if (!folder) return undefined;
  const registry = await session.get();
  const pull = (force: boolean) => runWithProgress(`Pulling ${ref}`, (work) => registry.pull(ref, folder, { ...work, force }));
  try {
    const result = await pull(false);
    output.info(pullText(result));
    void vscode.window.showInformationMessage(`Pulled ${ref} into ${folder}: ${result.files.length} files, hashes verified.`);
    return result;
  } catch (error) {
    if (!isRegistryError(error, 'FILE_EXISTS')) throw error;
    const choice = await vscode.window.showWarningMessage(error.message, { modal: true }, 'Overwrite');
    if (choice !== 'Overwrite') return undefined;
    return pull(true);
  }
}
