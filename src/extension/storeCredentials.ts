import type * as vscode from 'vscode';
import type { S3Credentials } from '../store/shared/s3Store';

const KEY_PREFIX = 'modelRegistry.storeCredentials:';

/**
 * Keys for S3 stores kept in VS Code's SecretStorage (the operating system's keychain), one entry
 * per store URI. They go to the S3 client in memory only: never into settings, config.json, the
 * sync state, logs or messages. Without an entry the standard AWS chain applies.
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

  async get(storeUri: string): Promise<S3Credentials | undefined> {
    const text = await this.secrets.get(KEY_PREFIX + storeUri);
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as Partial<S3Credentials>;
      if (typeof parsed.accessKeyId === 'string' && typeof parsed.secretAccessKey === 'string') {
        return { accessKeyId: parsed.accessKeyId, secretAccessKey: parsed.secretAccessKey, sessionToken: typeof parsed.sessionToken === 'string' ? parsed.sessionToken : undefined };
      }
    } catch {
      // An unreadable entry is as good as none: the standard chain applies, and setting them again repairs it.
    }
    return undefined;
  }

  async set(storeUri: string, credentials: S3Credentials): Promise<void> {
    await this.secrets.store(KEY_PREFIX + storeUri, JSON.stringify(credentials));
  }

  async clear(storeUri: string): Promise<boolean> {
    const had = (await this.secrets.get(KEY_PREFIX + storeUri)) !== undefined;
    await this.secrets.delete(KEY_PREFIX + storeUri);
    return had;
  }
}
