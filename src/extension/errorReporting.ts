import * as vscode from 'vscode';
import { isRegistryError } from '../core/registryError';

/**
 * Turns a failure into a notification a person can act on: registry errors carry their own advice;
 * anything else is logged with its stack. Cancelling is not an error.
 */
export async function reportError(error: unknown, output: vscode.LogOutputChannel, doing: string): Promise<void> {
  if (isRegistryError(error, 'CANCELLED')) {
    output.info(`${doing}: cancelled; nothing was changed.`);
    void vscode.window.showInformationMessage(`${doing} cancelled; nothing was changed.`);
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (isRegistryError(error)) output.warn(`${doing} failed: ${message}`);
  else output.error(`${doing} failed: ${error instanceof Error ? (error.stack ?? message) : message}`);
  // Damage is what Repair is for; Verify would only list it again (and fails itself on a log it cannot read).
  const actions = isRegistryError(error, 'CORRUPT') ? ['Repair Registry…', 'Show Output'] : ['Show Output'];
  const choice = await vscode.window.showErrorMessage(`${doing} failed: ${message}`, ...actions);
  if (choice === 'Show Output') output.show(true);
  if (choice === 'Repair Registry…') await vscode.commands.executeCommand('modelRegistry.repairRegistry');
}

/** Writing needs a trusted workspace (registration runs git); says so instead of failing later. */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  void vscode.window
    .showWarningMessage(`${action} needs a trusted workspace: it runs git and writes to the registry. Browsing works in Restricted Mode.`, 'Manage Workspace Trust')
    .then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
  return false;
}
