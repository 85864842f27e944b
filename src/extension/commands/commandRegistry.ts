import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import { reportError } from '../errorReporting';
import { approvalCommands } from './approvalCommands';
import { artifactCommands } from './artifactCommands';
import type { CommandContext, CommandTable } from './commandContext';
import { governanceCommands } from './governanceCommands';
import { lifecycleCommands } from './lifecycleCommands';
import { registrationCommands } from './registrationCommands';
import { registryPageCommands } from './registryPageCommands';
import { registryWideCommands } from './registryWideCommands';
import { storeCredentialCommands } from './storeCredentialCommands';
import { versionCommands } from './versionCommands';
import { versionEditCommands } from './versionEditCommands';

/** The one place commands are registered; each failure becomes a notification with advice. */
export function registerCommands(context: CommandContext): vscode.Disposable[] {
  const table: CommandTable = {
    ...registrationCommands(context),
    ...lifecycleCommands(context),
    ...versionCommands(context),
    ...versionEditCommands(context),
    ...artifactCommands(context),
    ...registryWideCommands(context),
    ...approvalCommands(context),
    ...governanceCommands(context),
    ...storeCredentialCommands(context),
    ...registryPageCommands(context),
  };
  const titles = new Map<string, string>(Object.entries(CommandIds).map(([key, id]) => [id, key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase())]));
  return Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        // Not rethrown: the workbench would show a second, less helpful notification.
        void reportError(error, context.output, titles.get(id) ?? id);
        return undefined;
      }
    }),
  );
}
