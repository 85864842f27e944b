import path from 'node:path';
import { Registry } from '../../src/index';
import { FolderStore } from '../../src/store/shared/folderStore';
import { SyncService } from '../../src/sync/syncService';

export interface FolderSyncClient {
  registry: Registry;
  sync: SyncService;
  project: string;
}

/**
 * Clones of one project for sync tests: each its own registry folder, syncing through a real
 * shared folder, closed after each test.
 */
export function useFolderSyncClients(tempFolder: (name?: string) => string): {
  client: (store: string, name: string) => Promise<FolderSyncClient>;
  /** Closes a registry the test opened itself after the test, with the clients. */
  closeAfterTest: (registry: Registry) => void;
} {
  const opened: Registry[] = [];
  afterEach(async () => {
    for (const registry of opened.splice(0)) await registry.close();
  });
  return {
    client: async (store, name) => {
      const project = tempFolder(name);
      const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: `${name}@example.com` });
      opened.push(registry);
      return { registry, sync: new SyncService(registry, new FolderStore(store), store), project };
    },
    closeAfterTest: (registry) => opened.push(registry),
  };
}
