import type { Registry } from '../registry/registry';
import type { SharedStore } from '../store/shared/sharedStore';
import type { UploadJournal } from '../store/shared/uploadJournal';
import { RegistryError } from '../core/registryError';
import type { RebaseReport } from './rebase';
import type { SharedLogStateFile } from './sharedLogStateFile';
import type { SyncStateFile, SyncStateRecord } from './syncState';

/** What each step of the protocol (pull, push, snapshots, verification) works on: one registry, one store. */
export interface SyncContext {
  registry: Registry;
  store: SharedStore;
  /** The store's URI as the registry's config names it (the key of its sync state). */
  storeUri: string;
  state: SyncStateFile;
  uploads: UploadJournal;
  /** The shared log's state that pulled events are checked against. */
  logState: SharedLogStateFile;
  /** After every this many batches of the shared log, the client that pushed the batch uploads a snapshot. */
  snapshotEvery: number;
}

export interface SyncOptions {
  signal?: AbortSignal;
  /** Only pull (a dry-run gc reads the merged log but publishes nothing). */
  pullOnly?: boolean;
  onProgress?: (done: number, total: number, item: string) => void;
}

export interface SyncResult {
  pulledBatches: number;
  pulledEvents: number;
  pushedBatches: number;
  pushedEvents: number;
  uploadedBlobs: number;
  /** Bytes sent to and received from the store (objects' bodies). */
  bytesUp: number;
  bytesDown: number;
  /** Pushes that found their sequence number taken and went round again. */
  retries: number;
  rebase: RebaseReport;
  remoteSeq: number;
  /** A first sync that started from the store's snapshot of batch N rather than from batch 1. */
  bootstrappedFrom?: number;
  /** A snapshot this sync wrote for new clients. */
  snapshotWritten?: number;
  /** The id of the store this sync created, in a location where there was none. */
  createdStore?: string;
  /** Things to tell the person (a damaged snapshot that was passed over, say). */
  warnings: string[];
}

/** Local op-log lines after the confirmed position, checked to continue it. */
export function pendingLines(sync: SyncContext, state: SyncStateRecord) {
  const lines = sync.registry.logLinesAfter(state.confirmed.offset);
  const first = lines[0]?.events[0];
  if (first && (first.seq !== state.confirmed.seq + 1 || first.prev !== state.confirmed.hash)) {
    throw new RegistryError('CONFLICT', `The local op log does not continue where the last sync left it (event #${state.confirmed.seq}); it was changed outside Model Registry. Run 'mreg verify'.`);
  }
  return lines;
}
