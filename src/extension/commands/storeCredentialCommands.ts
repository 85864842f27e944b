import * as vscode from 'vscode';
import type { S3Credentials } from '../../store/shared/s3Store';
import { CommandIds } from '../commandIds';
import { runWithProgress } from '../flows/progress';
import type { CommandContext, CommandTable } from './commandContext';

/**
 * Set / Clear Shared Store Credentials: keys for the registry's S3 store, kept in VS Code's
 * SecretStorage. Tasks and tests may pass `{ accessKeyId, secretAccessKey, sessionToken? }`
 * instead of typing them.
 */
export function storeCredentialCommands(context: CommandContext): CommandTable {
  const { session, sync, storeCredentials } = context;

  /** The S3 store of the open registry, or undefined after telling the person why there is none. */
  async function s3StoreUri(): Promise<string | undefined> {
    await session.get();
    const uri = await sync.storeUri();
    if (!uri) {
      void vscode.window.showInformationMessage('This registry has no shared store. Set one in a terminal with: mreg store set s3://bucket/prefix');
      return undefined;
    }
    if (!uri.startsWith('s3://')) {
      void vscode.window.showInformationMessage(`The shared store ${uri} is a folder: it needs no credentials.`);
      return undefined;
    }
    return uri;
  }

  return {
    [CommandIds.setStoreCredentials]: async (given) => {
      const uri = await s3StoreUri();
      if (!uri) return undefined;
      const credentials = isCredentials(given) ? given : await askForCredentials(uri);
      if (!credentials) return undefined;
      await storeCredentials.set(uri, credentials);
      sync.credentialsChanged();
      const result = await runWithProgress('Syncing with the shared store', (work) => sync.syncNow(work));
      void vscode.window.showInformationMessage(`Credentials for ${uri} are kept in VS Code's secret storage; the store accepted them.`);
      return result;
    },
    [CommandIds.clearStoreCredentials]: async () => {
      const uri = await s3StoreUri();
      if (!uri) return undefined;
      const had = await storeCredentials.clear(uri);
      sync.credentialsChanged();
      void vscode.window.showInformationMessage(
        had ? `Cleared the credentials for ${uri}: the standard AWS chain (environment, profiles, SSO) applies again.` : `No credentials were stored for ${uri}.`,
      );
      return had;
    },
  };
}

function isCredentials(value: unknown): value is S3Credentials {
  const candidate = value as Partial<S3Credentials> | undefined;
  return typeof candidate?.accessKeyId === 'string' && typeof candidate.secretAccessKey === 'string' && candidate.accessKeyId !== '' && candidate.secretAccessKey !== '';
}

async function askForCredentials(uri: string): Promise<S3Credentials | undefined> {
  const required = (what: string) => (value: string) => (value.trim() ? undefined : `Enter the ${what}.`);
  const accessKeyId = await vscode.window.showInputBox({
    title: 'Shared Store Credentials (1/3)',
    prompt: `Access key id for ${uri}`,
    password: true,
    ignoreFocusOut: true,
    validateInput: required('access key id'),
  });
  if (accessKeyId === undefined) return undefined;
  const secretAccessKey = await vscode.window.showInputBox({
    title: 'Shared Store Credentials (2/3)',
    prompt: 'Secret access key',
    password: true,
    ignoreFocusOut: true,
    validateInput: required('secret access key'),
  });
  if (secretAccessKey === undefined) return undefined;
  const sessionToken = await vscode.window.showInputBox({
    title: 'Shared Store Credentials (3/3)',
    prompt: 'Session token, for temporary credentials (leave empty for none)',
    password: true,
    ignoreFocusOut: true,
  });
  if (sessionToken === undefined) return undefined;
  return { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), sessionToken: sessionToken.trim() || undefined };
}
