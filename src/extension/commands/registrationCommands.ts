import * as vscode from 'vscode';
import { versionWarningLines } from '../../core/inspectionReport';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { isRegisterRequest, registerVersionFlow, registerWithProgress } from '../flows/registerVersionFlow';
import { activePythonInterpreter } from '../pythonInterpreter';
import type { Registry } from '../../registry/registry';
import type { CommandContext, CommandTable } from './commandContext';

/** Register Model Version…, Register Active File, and the Explorer's Register as Model Version…. */
export function registrationCommands(context: CommandContext): CommandTable {
  const { session, settings, versionPanels, output, modelsTree } = context;

  async function register(paths: string[] | undefined, request?: unknown): Promise<ModelVersion | undefined> {
    if (!requireTrust('Registering')) return undefined;
    const registry = await session.get();
    const pythonInterpreter = await activePythonInterpreter(session.workspaceFolder?.uri);
    const requireClean = settings.requireCleanTree();
    const version = isRegisterRequest(request)
      ? await registerWithProgress(registry, { metricDirections: settings.metricDirections(), requireClean, ...request }, pythonInterpreter)
      : await registerVersionFlow({ registry, paths, weightFilePatterns: settings.weightFilePatterns(), metricDirections: settings.metricDirections(), requireClean, pythonInterpreter });
    if (version) {
      // Where the new version is: in sight in the tree, whatever was expanded before.
      void modelsTree.revealVersion(version.model, version.number).catch((error: unknown) => output.warn(`Could not reveal ${formatRef(version.model, version.number)} in the tree: ${String(error)}`));
      void announce(registry, version);
    }
    return version;
  }

  /**
   * Says what was registered; when the inspectors found something in the files (code a pickle
   * would run, a file that is not the format it claims) the message is a warning that says so
   * first and offers the findings, so nobody promotes such a version without having been told.
   */
  async function announce(registry: Registry, version: ModelVersion): Promise<void> {
    const ref = formatRef(version.model, version.number);
    const warnings = versionWarningLines(registry.version(ref).manifest);
    let choice: string | undefined;
    if (warnings.length > 0) {
      output.warn(`${ref}: ${warnings.length} warning(s) from inspecting its files (they were not executed):`);
      for (const line of warnings) output.warn(`  ${line}`);
      const first = warnings[0];
      const more = warnings.length > 1 ? ` (and ${warnings.length - 1} more)` : '';
      choice = await vscode.window.showWarningMessage(`Registered ${ref}, with ${warnings.length === 1 ? 'a warning' : `${warnings.length} warnings`}: ${first}${more}. Do not load it unless you trust its source.`, 'Show Findings', 'Promote…');
    } else {
      choice = await vscode.window.showInformationMessage(`Registered ${ref}.`, 'Promote…', 'Copy URI');
    }
    if (choice === 'Show Findings') versionPanels.showVersion(version);
    if (choice === 'Promote…') await vscode.commands.executeCommand(CommandIds.promoteVersion, ref);
    if (choice === 'Copy URI') await vscode.commands.executeCommand(CommandIds.copyVersionUri, ref);
  }

  return {
    [CommandIds.registerVersion]: (argument) => register(undefined, argument),
    [CommandIds.registerActiveFile]: (argument) => {
      const uri = argument instanceof vscode.Uri ? argument : vscode.window.activeTextEditor?.document.uri ?? activeTabUri();
      if (!uri || uri.scheme !== 'file') {
        void vscode.window.showWarningMessage('Open a weight file (or select one in the Explorer) to register it.');
        return undefined;
      }
      return register([uri.fsPath]);
    },
    // The Explorer passes the clicked resource and the whole selection; a multi-selection is one version.
    [CommandIds.registerFromExplorer]: (clicked, selected) => {
      const uris = (Array.isArray(selected) && selected.length > 0 ? selected : [clicked]).filter((uri): uri is vscode.Uri => uri instanceof vscode.Uri);
      return register(uris.map((uri) => uri.fsPath));
    },
  };
}

/** Binary weight files open in a custom or binary editor, which has no text document. */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input && typeof input === 'object' && 'uri' in input && input.uri instanceof vscode.Uri ? input.uri : undefined;
}
