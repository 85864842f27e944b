import * as vscode from 'vscode';
import type { CredentialField, StoreCredentials } from '../../store/shared/sharedStore';
import { parseStoreUri } from '../../store/shared/storeConfig';
import { CommandIds } from '../commandIds';
import { runWithProgress } from '../flows/progress';
import type { CommandContext, CommandTable } from './commandContext';

/**
 * Set / Clear Shared Store Credentials: the fields the registry's store backend declares (S3:
 * access key id, secret, session token), kept in VS Code's SecretStorage. Tasks and tests may pass
 * them as an object (`{ accessKeyId, secretAccessKey, sessionToken? }`) instead of typing them.
 */
export function storeCredentialCommands(context: CommandContext): CommandTable {
  const { session, sync, storeCredentials } = context;

  /** The store of the open registry and its credential fields, or undefined after telling the person why there are none. */
  async function storeTakingCredentials(): Promise<{ uri: string; fields: readonly CredentialField[] } | undefined> {
    await session.get();
    const uri = await sync.storeUri();
    if (!uri) {
      void vscode.window.showInformationMessage('This registry has no shared store. Set one in a terminal with: mreg store set s3://bucket/prefix');
      return undefined;
    }
    const fields = parseStoreUri(uri).credentialFields;
    if (fields.length === 0) {
      void vscode.window.showInformationMessage(`The shared store ${uri} is a folder: it needs no credentials.`);
      return undefined;
    }
    return { uri, fields };
  }

  return {
    [CommandIds.setStoreCredentials]: async (given) => {
      const store = await storeTakingCredentials();
      if (!store) return undefined;
      const { uri, fields } = store;
      const credentials = givenCredentials(given, fields) ?? (await askForCredentials(uri, fields));
      if (!credentials) return undefined;
      await storeCredentials.set(uri, credentials);
      sync.credentialsChanged();
      const result = await runWithProgress('Syncing with the shared store', (work) => sync.syncNow(work));
      void vscode.window.showInformationMessage(`Credentials for ${uri} are kept in VS Code's secret storage; the store accepted them.`);
      return result;
    },
    [CommandIds.clearStoreCredentials]: async () => {
      const store = await storeTakingCredentials();
      if (!store) return undefined;
      const { uri } = store;
      const had = await storeCredentials.clear(uri);
      sync.credentialsChanged();
      void vscode.window.showInformationMessage(
        had ? `Cleared the credentials for ${uri}: the store's default chain (for S3: environment, profiles, SSO) applies again.` : `No credentials were stored for ${uri}.`,
      );
      return had;
    },
  };
}

/** Credentials a task or test passed: every required field a non-empty string. */
function givenCredentials(value: unknown, fields: readonly CredentialField[]): StoreCredentials | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const given = value as Record<string, unknown>;
  if (!fields.every((field) => field.optional || (typeof given[field.key] === 'string' && given[field.key] !== ''))) return undefined;
  return Object.fromEntries(fields.flatMap((field) => (typeof given[field.key] === 'string' && given[field.key] !== '' ? [[field.key, given[field.key] as string]] : [])));
}

/** Asks for each field in turn (password boxes); undefined when the person cancels. */
async function askForCredentials(uri: string, fields: readonly CredentialField[]): Promise<StoreCredentials | undefined> {
  const credentials: Record<string, string> = {};
  for (const [index, field] of fields.entries()) {
    const value = await vscode.window.showInputBox({
      title: `Shared Store Credentials (${index + 1}/${fields.length})`,
      prompt: index === 0 ? `${field.prompt} for ${uri}` : field.prompt,
      password: true,
      ignoreFocusOut: true,
      validateInput: field.optional ? undefined : (text) => (text.trim() ? undefined : `Enter the ${field.prompt.toLowerCase()}.`),
    });
    if (value === undefined) return undefined;
    if (value.trim()) credentials[field.key] = value.trim();
  }
  return credentials;
}
