import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { CommandIds } from '../commandIds';
import { requireTrust } from '../errorReporting';
import { isRegisterRequest, registerVersionFlow, registerWithProgress } from '../flows/registerVersionFlow';
import { activePythonInterpreter } from '../pythonInterpreter';
import type { CommandContext, CommandTable } from './commandContext';

/** Register Model Version…, Register Active File, and the Explorer's Register as Model Version…. */
export function registrationCommands(context: CommandContext): CommandTable {
  const { session, settings } = context;

  async function register(paths: string[] | undefined, request?: unknown): Promise<ModelVersion | undefined> {
    if (!requireTrust('Registering')) return undefined;
    const registry = await session.get();
    const pythonInterpreter = await activePythonInterpreter(session.workspaceFolder?.uri);
    const requireClean = settings.requireCleanTree();
    const version = isRegisterRequest(request)
      ? await registerWithProgress(registry, { metricDirections: settings.metricDirections(), requireClean, ...request }, pythonInterpreter)
      : await registerVersionFlow({ registry, paths, weightFilePatterns: settings.weightFilePatterns(), metricDirections: settings.metricDirections(), requireClean, pythonInterpreter });
    if (version) void announce(version);
    return version;
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

async function announce(version: ModelVersion): Promise<void> {
  const ref = formatRef(version.model, version.number);
  const choice = await vscode.window.showInformationMessage(`Registered ${ref}.`, 'Promote…', 'Copy URI');
  if (choice === 'Promote…') await vscode.commands.executeCommand(CommandIds.promoteVersion, ref);
  if (choice === 'Copy URI') await vscode.commands.executeCommand(CommandIds.copyVersionUri, ref);
}
