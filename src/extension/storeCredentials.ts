import type * as vscode from 'vscode';
import type { StoreCredentials as Credentials } from '../store/shared/sharedStore';

const KEY_PREFIX = 'modelRegistry.storeCredentials:';

/**
 * Credentials of shared stores kept in VS Code's SecretStorage (the operating system's keychain),
 * one entry per store URI, as the fields the store's backend declares. They go to the store's client
 * in memory only: never into settings, config.json, the sync state, logs or messages. Without an
 * entry the backend's default chain applies (S3: the standard AWS chain).
 */
export class StoreCredentials {
  /** Fires with the store URI whose credentials were set or cleared (in this window or another). */
  readonly onDidChange: vscode.Event<string>;

  constructor(private readonly secrets: vscode.SecretStorage) {
    this.onDidChange = (listener, thisArgs, disposables) =>
      secrets.onDidChange(
        (event) => {
          if (event.key.startsWith(KEY_PREFIX)) listener.call(thisArgs, event.key.slice(KEY_PREFIX.length));
        },
        undefined,
        disposables,
      );
  }

  async get(storeUri: string): Promise<Credentials | undefined> {
    const text = await this.secrets.get(KEY_PREFIX + storeUri);
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as unknown;
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      }
    } catch {
      // An unreadable entry is as good as none: the standard chain applies, and setting them again repairs it.
    }
    return undefined;
  }

  async set(storeUri: string, credentials: Credentials): Promise<void> {
    await this.secrets.store(KEY_PREFIX + storeUri, JSON.stringify(credentials));
  }

  async clear(storeUri: string): Promise<boolean> {
    const had = (await this.secrets.get(KEY_PREFIX + storeUri)) !== undefined;
    await this.secrets.delete(KEY_PREFIX + storeUri);
    return had;
  }
}
