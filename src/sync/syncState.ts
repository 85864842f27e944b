import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { GENESIS_HASH } from '../core/events';
import { writeFileAtomic } from '../store/persistence/atomicFile';
import type { RegistryFolder } from '../store/registryFolder';
import { RegistryError } from '../core/registryError';
import { EMPTY_REMOTE, type RemoteHead } from './logBatch';
import type { RebaseReport } from './rebase';

/** Where the local op log stood when it last matched the shared log. */
export interface ConfirmedPosition {
  seq: number;
  hash: string;
  /** Byte offset in the local op log just past the last confirmed event. */
  offset: number;
}

/**
 * What a registry knows about its shared store, in `sync/state.json` (written atomically). Every op-log
 * line after `confirmed` is pending: made here and not yet in the shared log. Should a crash leave
 * this file behind the log (a pull applied, the state not yet written), the next sync recognises
 * the already-applied events by their ids, so nothing is applied or pushed twice.
 */
export interface SyncStateRecord {
  store: string;
  /** The id in the store's identity object (store.json) when this registry first synced with it. */
  storeId?: string;
  remote: RemoteHead;
  confirmed: ConfirmedPosition;
  /** The store refused a second create of the same object: its create-only writes are safe. */
  createOnlyVerified?: boolean;
  lastSync?: string;
  lastError?: { time: string; code: string; message: string };
  lastRebase?: RebaseReport & { time: string };
}

export class SyncStateFile {
  readonly file: string;

  constructor(folder: RegistryFolder) {
    this.file = path.join(folder.root, 'sync', 'state.json');
  }

  /** The state for `store`; a registry that synced with another store before starts afresh with this one. */
  read(store: string): SyncStateRecord {
    if (existsSync(this.file)) {
      let state: SyncStateRecord;
      try {
        state = JSON.parse(readFileSync(this.file, 'utf8')) as SyncStateRecord;
      } catch {
        throw new RegistryError('CORRUPT', `${this.file} is not valid JSON. Delete it: the next sync rebuilds it by pulling the shared log again.`);
      }
      if (state.store === store) return state;
    }
    return { store, remote: EMPTY_REMOTE, confirmed: { seq: 0, hash: GENESIS_HASH, offset: 0 } };
  }

  write(state: SyncStateRecord): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`);
  }
}
