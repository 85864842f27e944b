import * as vscode from 'vscode';
import { CommandIds } from '../commandIds';
import type { RegistrySession } from '../registrySession';
import { overviewFilter, overviewVersions } from './registryPageAnswers';
import type { RegistryPageAnswer, RegistryPageRequest } from './registryPagesProtocol';

/**
 * What the overview and lineage pages ask for: answers read from the registry, or the extension's
 * own commands (details, compare, lineage), which look each reference up and say when it names nothing.
 */
export async function actOnRegistryPage(message: RegistryPageRequest, session: RegistrySession, answer: (message: RegistryPageAnswer) => Thenable<boolean>): Promise<void> {
  switch (message.type) {
    case 'filterOverview':
      await answer(overviewFilter(await session.get(), message.text));
      return;
    case 'expandModel':
      await answer(overviewVersions(await session.get(), message.model));
      return;
    case 'openVersion':
      await vscode.commands.executeCommand(CommandIds.showVersionDetails, message.ref);
      return;
    case 'compareVersions':
      await vscode.commands.executeCommand(CommandIds.compareVersions, undefined, [message.before, message.after]);
      return;
    case 'showLineage':
      await vscode.commands.executeCommand(CommandIds.showLineage, message.subject);
      return;
  }
}
