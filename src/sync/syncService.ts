import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ResolvedVersion } from '../core/modelVersion';
import { isRegistryError, RegistryError, throwIfCancelled } from '../core/registryError';
import type { Registry } from '../registry/registry';
import { WriterLock } from '../store/persistence/writerLock';
import { blobKey, type SharedStore, type StoreCredentials } from '../store/shared/sharedStore';
import { parseStoreUri, readStoreUri } from '../store/shared/storeConfig';
import { UploadJournal } from '../store/shared/uploadJournal';
import { pullBatches } from './pullBatches';
import { pushPending } from './pushPending';
import type { RebaseReport } from './rebase';
import { pendingLines, type SyncContext, type SyncOptions, type SyncResult } from './syncContext';
import { confirmStoreIdentity, identityProblem, standingOf } from './storeIdentityCheck';
import { SharedLogStateFile } from './sharedLogStateFile';
import { SyncStateFile } from './syncState';
import { verifyCreateOnly, verifyStore, type StoreVerifyReport } from './storeVerification';

export type { StoreVerifyReport, SyncOptions, SyncResult };

/**
 * The sync service of a registry whose config names a shared store; undefined for a local-only
 * registry. `credentials(uri)` may supply the fields its backend declares (the extension's
 * SecretStorage); without them the backend's default chain applies (S3: the standard AWS chain).
 */
export async function openSyncService(registry: Registry, credentials?: (storeUri: string) => Promise<StoreCredentials | undefined>): Promise<SyncService | undefined> {
  const uri = readStoreUri(registry.folder);
  if (!uri) return undefined;
  const store = parseStoreUri(uri);
  const keys = store.credentialFields.length > 0 ? await credentials?.(store.uri) : undefined;
  return new SyncService(registry, await store.open({ credentials: keys }), store.uri);
}

/**
 * What the status bar shows. offline: the store did not answer (network, service down);
 * unreachable: its location is missing or empty though this registry synced with it (a share not
 * mounted); wrong-store: the location holds another store.
 */
export type SyncState = 'local' | 'synced' | 'pending' | 'offline' | 'unreachable' | 'wrong-store' | 'error';

/** The state a failed sync leaves, by the code of its error. */
export function stateOfError(code: string): SyncState {
  if (code === 'IO') return 'offline';
  if (code === 'STORE_UNREACHABLE') return 'unreachable';
  if (code === 'WRONG_STORE') return 'wrong-store';
  return 'error';
}

export interface SyncStatus {
  state: SyncState;
  /** The store's URI; undefined when the registry has none. */
  store?: string;
  /** The id of the store this registry synced with (its store.json), once it has. */
  storeId?: string;
  /** Local mutations (op-log lines) not yet in the shared log. */
  pendingOps: number;
  /** Versions registered here and not yet pushed: their numbers may still change. */
  pendingVersions: { model: string; number: number }[];
  /** Uploads a sync started and did not finish (killed, offline): the next push continues them. */
  unfinishedUploads: { key: string; size: number }[];
  /** The last batch of the shared log this registry holds. */
  remoteSeq: number;
  lastSync?: string;
  lastError?: { time: string; code: string; message: string };
  lastRebase?: RebaseReport & { time: string };
}

/** The artifacts of a resolved version whose blobs this registry does not hold yet (pulled versions fetch them lazily). */
export function artifactsNotHeld(resolved: ResolvedVersion): ResolvedVersion['artifacts'] {
  return resolved.artifacts.filter((artifact) => !existsSync(artifact.blobPath));
}

export interface SyncServiceOptions {
  /** After every this many batches of the shared log, the client that pushed the batch uploads a snapshot. */
  snapshotEvery?: number;
}

const MAX_ATTEMPTS = 200;
const SNAPSHOT_EVERY = 100;

/**
 * Syncs a registry with a shared store (see the design notes' sync protocol). Pull applies the
 * batches after the last one seen, rebasing pending local mutations on top; push uploads missing
 * blobs, then creates the next log batch create-only. A taken sequence number means someone else
 * pushed first: pull, rebase, retry. One sync at a time per registry folder.
 */
export class SyncService {
  private readonly state: SyncStateFile;
  private readonly syncLock: WriterLock;
  private readonly uploads: UploadJournal;
  private readonly context: SyncContext;

  constructor(
    readonly registry: Registry,
    readonly store: SharedStore,
    readonly storeUri: string,
    options: SyncServiceOptions = {},
  ) {
    this.state = new SyncStateFile(registry.folder);
    this.uploads = new UploadJournal(registry.folder, storeUri);
    this.syncLock = new WriterLock(path.join(registry.folder.root, 'sync', 'lock'), 300_000);
    this.context = { registry, store, storeUri, state: this.state, uploads: this.uploads, logState: new SharedLogStateFile(registry), snapshotEvery: options.snapshotEvery ?? SNAPSHOT_EVERY };
  }

  /** Where the registry stands, from local files only: no network. */
  status(): SyncStatus {
    const state = this.state.read(this.storeUri);
    const pending = pendingLines(this.context, state);
    const pendingVersions = pending.flatMap((line) =>
      line.events.filter((event) => event.type === 'version.registered').map((event) => ({ model: event.model, number: event.version ?? 0 })),
    );
    let value: SyncState = pending.length > 0 ? 'pending' : 'synced';
    if (state.lastError && (!state.lastSync || state.lastError.time > state.lastSync)) value = stateOfError(state.lastError.code);
    return {
      state: value,
      store: this.storeUri,
      storeId: state.storeId,
      pendingOps: pending.length,
      pendingVersions,
      unfinishedUploads: this.uploads.list().map(({ key, size }) => ({ key, size })),
      remoteSeq: state.remote.seq,
      lastSync: state.lastSync,
      lastError: state.lastError,
      lastRebase: state.lastRebase,
    };
  }

  /** Whether the store answers now and is the one this registry syncs with; reads only. */
  async probe(): Promise<{ reachable: true } | { reachable: false; state: SyncState; message: string }> {
    try {
      await this.store.assertReachable();
      const problem = identityProblem(this.store, this.state.read(this.storeUri), await standingOf(this.store));
      if (problem) throw problem;
      return { reachable: true };
    } catch (error) {
      return { reachable: false, state: stateOfError(isRegistryError(error) ? error.code : 'IO'), message: (error as Error).message };
    }
  }

  async sync(options: SyncOptions = {}): Promise<SyncResult> {
    this.registry.initialize();
    mkdirSync(path.dirname(this.state.file), { recursive: true });
    return this.syncLock.withLock(async () => {
      let state = this.state.read(this.storeUri);
      const result: SyncResult = {
        pulledBatches: 0,
        pulledEvents: 0,
        pushedBatches: 0,
        pushedEvents: 0,
        uploadedBlobs: 0,
        bytesUp: 0,
        bytesDown: 0,
        retries: 0,
        rebase: { renumbered: [], merged: [], droppedSemver: [], dropped: [] },
        remoteSeq: state.remote.seq,
        warnings: [],
      };
      try {
        await this.store.assertReachable();
        const confirmed = await confirmStoreIdentity(this.context, state);
        state = confirmed.state;
        if (confirmed.created) result.createdStore = confirmed.created.id;
        state = await verifyCreateOnly(this.context, state);
        for (let attempt = 1; ; attempt++) {
          throwIfCancelled(options.signal);
          state = await pullBatches(this.context, state, result);
          if (options.pullOnly) break;
          const pushed = await pushPending(this.context, state, result, options);
          if (pushed === 'nothing') break;
          if (pushed === 'taken') {
            result.retries += 1;
            if (attempt >= MAX_ATTEMPTS) {
              throw new RegistryError('CONFLICT', `Gave up pushing after ${MAX_ATTEMPTS} attempts: other clients kept taking the next batch number. Run 'mreg sync' again.`);
            }
            // Spread the retries of many clients racing for the same number.
            await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200, 5 * attempt)));
            continue;
          }
          state = pushed;
        }
        result.remoteSeq = state.remote.seq;
        const rebased = result.rebase.renumbered.length + result.rebase.merged.length + result.rebase.droppedSemver.length + (result.rebase.dropped?.length ?? 0) > 0;
        state = { ...state, lastSync: new Date().toISOString(), lastError: undefined, ...(rebased ? { lastRebase: { ...result.rebase, time: new Date().toISOString() } } : {}) };
        this.state.write(state);
        return result;
      } catch (error) {
        const latest = this.state.read(this.storeUri);
        const code = isRegistryError(error) ? error.code : 'IO';
        this.state.write({ ...latest, lastError: { time: new Date().toISOString(), code, message: (error as Error).message } });
        throw error;
      }
    });
  }

  /**
   * Makes sure the artifacts of a resolved version are in the local blob store, fetching missing
   * ones from the shared store and checking their sha256 before they are used.
   */
  async fetchArtifacts(resolved: ResolvedVersion, options: SyncOptions = {}): Promise<number> {
    const missing = artifactsNotHeld(resolved);
    const total = missing.reduce((sum, artifact) => sum + artifact.size, 0);
    let done = 0;
    for (const artifact of missing) {
      throwIfCancelled(options.signal);
      const found = await this.fetchBlob(artifact.sha256, (bytes) => options.onProgress?.(done + bytes, total, artifact.path));
      if (!found) {
        throw new RegistryError('NOT_FOUND', `Artifact ${artifact.path} (blob ${artifact.sha256}) is neither in this registry nor in the shared store ${this.store.description}. Ask whoever registered the version to run 'mreg sync'.`);
      }
      done += artifact.size;
    }
    return missing.length;
  }

  /** Downloads one blob into the local blob store, checking its sha256 first; false when the store has none. */
  async fetchBlob(sha256: string, onProgress?: (bytesDone: number) => void): Promise<boolean> {
    const temporary = this.registry.blobs.temporaryFile();
    const downloaded = await this.store.getToFile(blobKey(sha256), temporary, onProgress);
    if (!downloaded) return false;
    await this.registry.blobs.adopt(temporary, sha256, this.store.description, downloaded);
    return true;
  }

  /** Checks the whole remote chain and re-hashes remote blobs (all, or a random sample of `sample`). */
  verifyStore(options: SyncOptions & { sample?: number } = {}): Promise<StoreVerifyReport> {
    return verifyStore(this.context, options);
  }
}
