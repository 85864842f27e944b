import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { checkEventLink, type RegistryEvent } from '../core/events';
import { OpLog } from '../core/persistence/opLog';
import { sha256Hex } from '../core/sha256';
import { manifestBytes } from '../core/manifest';
import type { ResolvedVersion } from '../core/modelVersion';
import { WriterLock } from '../core/persistence/writerLock';
import { hashFile } from '../store/fileHashing';
import type { Registry } from '../core/registry';
import { isRegistryError, RegistryError, throwIfCancelled } from '../core/registryError';
import { batchKey, batchSeqOf, decodeBatch, EMPTY_REMOTE, encodeBatch, LOG_PREFIX, type LogBatch, type RemoteHead } from './logBatch';
import { rebasePending, type RebaseReport } from './rebase';
import { waitForCollectors } from './collectorMarkers';
import { blobKey, blobSha256Of, type SharedStore } from './sharedStore';
import { parseStoreUri, readStoreUri } from './storeConfig';
import type { S3Credentials } from './s3Store';
import { SyncStateFile, type SyncStateRecord } from './syncState';
import { UploadJournal } from './uploadJournal';

/**
 * The sync service of a registry whose config names a shared store; undefined for a local-only
 * registry. `credentials(uri)` may supply keys for an S3 store (the extension's SecretStorage);
 * without them the standard AWS chain does.
 */
export async function openSyncService(registry: Registry, credentials?: (storeUri: string) => Promise<S3Credentials | undefined>): Promise<SyncService | undefined> {
  const uri = readStoreUri(registry.folder);
  if (!uri) return undefined;
  const store = parseStoreUri(uri);
  const keys = store.uri.startsWith('s3://') ? await credentials?.(store.uri) : undefined;
  return new SyncService(registry, await store.open({ credentials: keys }), store.uri);
}

/** What the status bar shows. */
export type SyncState = 'local' | 'synced' | 'pending' | 'offline' | 'error';

export interface SyncStatus {
  state: SyncState;
  /** The store's URI; undefined when the registry has none. */
  store?: string;
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
  /** Things to tell the person (a damaged snapshot that was passed over, say). */
  warnings: string[];
}

export interface SyncServiceOptions {
  /** After every this many batches of the shared log, the client that pushed the batch uploads a snapshot. */
  snapshotEvery?: number;
}

export interface SyncOptions {
  signal?: AbortSignal;
  /** Only pull (a dry-run gc reads the merged log but publishes nothing). */
  pullOnly?: boolean;
  onProgress?: (done: number, total: number, item: string) => void;
}

export interface StoreVerifyReport {
  batches: number;
  events: number;
  blobsChecked: number;
  blobsTotal: number;
  problems: { kind: 'batch' | 'blob'; key: string; message: string }[];
}

const MAX_ATTEMPTS = 200;
const SNAPSHOT_PREFIX = 'snapshots/';
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

  constructor(
    readonly registry: Registry,
    readonly store: SharedStore,
    readonly storeUri: string,
    private readonly options: SyncServiceOptions = {},
  ) {
    this.state = new SyncStateFile(registry.folder);
    this.uploads = new UploadJournal(registry.folder, storeUri);
    this.syncLock = new WriterLock(path.join(registry.folder.root, 'sync', 'lock'), 300_000);
  }

  /** Where the registry stands, from local files only: no network. */
  status(): SyncStatus {
    const state = this.state.read(this.storeUri);
    const pending = this.pendingLines(state);
    const pendingVersions = pending.flatMap((line) =>
      line.events.filter((event) => event.type === 'version.registered').map((event) => ({ model: event.model, number: event.version ?? 0 })),
    );
    let value: SyncState = pending.length > 0 ? 'pending' : 'synced';
    if (state.lastError && (!state.lastSync || state.lastError.time > state.lastSync)) value = state.lastError.code === 'IO' ? 'offline' : 'error';
    return {
      state: value,
      store: this.storeUri,
      pendingOps: pending.length,
      pendingVersions,
      unfinishedUploads: this.uploads.list().map(({ key, size }) => ({ key, size })),
      remoteSeq: state.remote.seq,
      lastSync: state.lastSync,
      lastError: state.lastError,
      lastRebase: state.lastRebase,
    };
  }

  /** Whether the store answers now. */
  async reachable(): Promise<boolean> {
    try {
      await this.store.assertReachable();
      return true;
    } catch {
      return false;
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
        state = await this.verifyCreateOnly(state);
        for (let attempt = 1; ; attempt++) {
          throwIfCancelled(options.signal);
          state = await this.pull(state, result);
          if (options.pullOnly) break;
          const pushed = await this.push(state, result, options);
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
      const temporary = this.registry.blobs.temporaryFile();
      const found = await this.store.getToFile(blobKey(artifact.sha256), temporary, (bytes) => options.onProgress?.(done + bytes, total, artifact.path));
      if (!found) {
        throw new RegistryError('NOT_FOUND', `Artifact ${artifact.path} (blob ${artifact.sha256}) is neither in this registry nor in the shared store ${this.store.description}. Ask whoever registered the version to run 'mreg sync'.`);
      }
      await this.registry.blobs.adopt(temporary, artifact.sha256, this.store.description);
      done += artifact.size;
    }
    return missing.length;
  }

  /** Checks the whole remote chain and re-hashes remote blobs (all, or a random sample of `sample`). */
  async verifyStore(options: SyncOptions & { sample?: number } = {}): Promise<StoreVerifyReport> {
    const report: StoreVerifyReport = { batches: 0, events: 0, blobsChecked: 0, blobsTotal: 0, problems: [] };
    let head: RemoteHead = EMPTY_REMOTE;
    /** Blobs the live versions of the log name, by version: each must be in the store (gc removes those of deleted versions). */
    const named = new Map<string, [string, string][]>();
    for (const key of await this.store.list(LOG_PREFIX)) {
      throwIfCancelled(options.signal);
      if (batchSeqOf(key) !== head.seq + 1) {
        report.problems.push({ kind: 'batch', key, message: `expected ${batchKey(head.seq + 1)} next: batches are missing or misnamed; the chain cannot be checked past here` });
        break;
      }
      const bytes = await this.store.get(key);
      try {
        const decoded = decodeBatch(bytes ?? Buffer.alloc(0), head, this.store.description);
        head = decoded.head;
        report.batches += 1;
        report.events += decoded.events.length;
        for (const event of decoded.events) {
          const ref = `${event.model}/${String(event.version)}`;
          if (event.type === 'version.registered') named.set(ref, event.payload.manifest.artifacts.map((artifact) => [artifact.sha256, `${ref} ${artifact.path}`]));
          if (event.type === 'version.deleted') named.delete(ref);
        }
      } catch (error) {
        report.problems.push({ kind: 'batch', key, message: (error as Error).message });
        break;
      }
    }
    let blobs = (await this.store.list('blobs/sha256/')).filter((key) => blobSha256Of(key) !== undefined);
    report.blobsTotal = blobs.length;
    const present = new Set(blobs.map((key) => key.slice(key.lastIndexOf('/') + 1)));
    const missing = new Map<string, string>();
    for (const [sha256, what] of [...named.values()].flat()) if (!present.has(sha256)) missing.set(sha256, what);
    for (const [sha256, what] of missing) report.problems.push({ kind: 'blob', key: blobKey(sha256), message: `missing, yet the log names it (${what})` });
    if (options.sample !== undefined && options.sample < blobs.length) blobs = sample(blobs, options.sample);
    for (const key of blobs) {
      throwIfCancelled(options.signal);
      const sha256 = blobSha256Of(key)!;
      const temporary = this.registry.blobs.temporaryFile();
      try {
        await this.store.getToFile(key, temporary);
        const actual = (await hashFile(temporary)).sha256;
        if (actual !== sha256) report.problems.push({ kind: 'blob', key, message: `its bytes hash to ${actual}` });
      } finally {
        rmSync(temporary, { force: true });
      }
      report.blobsChecked += 1;
      options.onProgress?.(report.blobsChecked, blobs.length, key);
    }
    return report;
  }

  // ── the protocol ───────────────────────────────────────────────────────────

  /** The store must refuse a second create of one object, or two pushes could both win a number. */
  private async verifyCreateOnly(state: SyncStateRecord): Promise<SyncStateRecord> {
    if (state.createOnlyVerified) return state;
    const key = `probes/create-only-${randomBytes(8).toString('hex')}`;
    const first = await this.store.createOnly(key, Buffer.from('first'));
    const second = await this.store.createOnly(key, Buffer.from('second'));
    await this.store.delete(key);
    if (first !== 'created' || second !== 'exists') {
      throw new RegistryError(
        'UNSUPPORTED',
        `The shared store ${this.store.description} does not honour create-only writes (If-None-Match: *): a second create of the same object was accepted. Syncing through it could silently lose updates, so Model Registry refuses. Use a service with conditional writes (AWS S3, MinIO, Cloudflare R2 …) or a shared folder.`,
      );
    }
    const verified = { ...state, createOnlyVerified: true };
    this.state.write(verified);
    return verified;
  }

  private async pull(state: SyncStateRecord, result: SyncResult): Promise<SyncStateRecord> {
    let head = state.remote;
    const batches: RegistryEvent[][] = [];
    if (head.seq === 0) {
      const snapshot = await this.readNewestSnapshot(result);
      if (snapshot) {
        batches.push(...snapshot.lines);
        head = snapshot.head;
        result.bootstrappedFrom = head.seq;
      }
    }
    const keys = await this.store.list(LOG_PREFIX, batchKey(head.seq));
    let pulledBatches = 0;
    /** What stopped the reading (a damaged or missing batch, the store gone): reported once the batches before it are applied. */
    let stopped: unknown;
    for (const key of keys) {
      const seq = batchSeqOf(key);
      if (seq === undefined) continue;
      try {
        if (seq !== head.seq + 1) {
          throw new RegistryError('CORRUPT', `The shared log in ${this.store.description} has ${key} but no ${batchKey(head.seq + 1)}: a batch is missing. Nothing after batch ${head.seq} was applied.`);
        }
        const bytes = await this.store.get(key);
        if (!bytes) throw new RegistryError('IO', `${key} vanished from ${this.store.description} while it was being read; try again.`);
        result.bytesDown += bytes.length;
        const decoded = decodeBatch(bytes, head, this.store.description);
        batches.push(decoded.events);
        head = decoded.head;
        pulledBatches += 1;
      } catch (error) {
        stopped = error;
        break;
      }
    }
    if (batches.length === 0) {
      if (stopped) throw stopped;
      return state;
    }
    const pulled = batches.flat();
    for (const event of pulled) {
      // The manifest travels in the event; the registry reads it from its blob store.
      if (event.type === 'version.registered') this.registry.blobs.putBytes(manifestBytes(event.payload.manifest));
    }
    let report: RebaseReport | undefined;
    const ends = await this.registry.replaceLogTail(state.confirmed, (tail) => {
      const rebased = rebasePending(
        tail.map((line) => line.events),
        pulled,
        head.event,
      );
      report = rebased.report;
      return [...batches, ...rebased.lines];
    });
    result.pulledBatches += pulledBatches;
    result.pulledEvents += pulled.length;
    if (report) {
      result.rebase.renumbered.push(...report.renumbered);
      result.rebase.merged.push(...report.merged);
      result.rebase.droppedSemver.push(...report.droppedSemver);
      result.rebase.dropped!.push(...(report.dropped ?? []));
    }
    const next: SyncStateRecord = { ...state, remote: head, confirmed: { seq: head.event.seq, hash: head.event.hash, offset: ends[batches.length - 1] } };
    this.state.write(next);
    if (stopped) throw stopped;
    return next;
  }

  private async push(state: SyncStateRecord, result: SyncResult, options: SyncOptions): Promise<SyncStateRecord | 'nothing' | 'taken'> {
    const lines = this.pendingLines(state);
    if (lines.length === 0) return 'nothing';
    const events = lines.flatMap((line) => line.events);
    const blobsCheckedFrom = performance.now();
    await this.uploadBlobs(events, result, options);
    const { bytes, head } = encodeBatch(state.remote, events);
    if ((await this.store.createOnly(batchKey(head.seq), bytes)) === 'exists') return 'taken';
    result.pushedBatches += 1;
    result.pushedEvents += events.length;
    result.bytesUp += bytes.length;
    const next: SyncStateRecord = { ...state, remote: head, confirmed: { seq: head.event.seq, hash: head.event.hash, offset: lines[lines.length - 1].endOffset } };
    this.state.write(next);
    // A gc that had not seen the batch may have removed blobs it names: put those back (see collectorMarkers.ts).
    if (await waitForCollectors(this.store, batchKey(head.seq), performance.now() - blobsCheckedFrom)) await this.uploadBlobs(events, result, options);
    if (head.seq % (this.options.snapshotEvery ?? SNAPSHOT_EVERY) === 0) {
      await this.writeSnapshot(next);
      result.snapshotWritten = head.seq;
    }
    return next;
  }

  /**
   * A snapshot for new clients: the op log up to batch `seq` (JSON lines of events), so a first
   * sync reads one object instead of every batch. It need not be trusted: its events must chain
   * from the beginning and end with the last event of batch `seq`, which commits to all of them.
   */
  private async writeSnapshot(state: SyncStateRecord): Promise<void> {
    const temporary = this.registry.blobs.temporaryFile();
    try {
      copyFileSync(this.registry.folder.opLogFile, temporary);
      truncateSync(temporary, state.confirmed.offset);
      await this.store.putFile(snapshotKey(state.remote.seq), temporary);
    } finally {
      rmSync(temporary, { force: true });
    }
  }

  /** The newest snapshot that checks out against its batch; damaged ones are passed over with a warning. */
  private async readNewestSnapshot(result: SyncResult): Promise<{ lines: RegistryEvent[][]; head: RemoteHead } | undefined> {
    const keys = (await this.store.list(SNAPSHOT_PREFIX)).filter((key) => snapshotSeqOf(key) !== undefined).reverse();
    for (const key of keys) {
      const seq = snapshotSeqOf(key)!;
      const temporary = this.registry.blobs.temporaryFile();
      try {
        const batchBytes = await this.store.get(batchKey(seq));
        if (!batchBytes || !(await this.store.getToFile(key, temporary))) continue;
        result.bytesDown += batchBytes.length + statSync(temporary).size;
        const lines = [...new OpLog(temporary).linesAfter(0)].map((line) => line.events);
        let link = { seq: 0, hash: EMPTY_REMOTE.hash };
        for (const event of lines.flat()) {
          checkEventLink(event, link);
          link = { seq: event.seq, hash: event.hash };
        }
        const batch = JSON.parse(batchBytes.toString('utf8')) as LogBatch;
        const last = batch.events[batch.events.length - 1];
        if (batch.seq !== seq || last.seq !== link.seq || last.hash !== link.hash) throw new RegistryError('CORRUPT', `it does not end with the last event of batch ${seq}`);
        return { lines, head: { seq, hash: sha256Hex(batchBytes), event: link } };
      } catch (error) {
        if (!isRegistryError(error, 'CORRUPT') && !(error instanceof SyntaxError)) throw error;
        result.warnings.push(`The snapshot ${key} in ${this.store.description} is damaged (${error.message}); it was passed over.`);
      } finally {
        rmSync(temporary, { force: true });
      }
    }
    return undefined;
  }

  /** Every artifact of the pending versions goes up before the batch that names it (skipping those there). */
  private async uploadBlobs(events: RegistryEvent[], result: SyncResult, options: SyncOptions): Promise<void> {
    const wanted = new Map<string, number>();
    for (const event of events) {
      if (event.type === 'version.registered') for (const artifact of event.payload.manifest.artifacts) wanted.set(artifact.sha256, artifact.size);
    }
    const missing: [string, number][] = [];
    for (const [sha256, size] of wanted) {
      const key = blobKey(sha256);
      if (!(await this.store.exists(key))) {
        missing.push([sha256, size]);
        continue;
      }
      // Someone else completed the blob while an upload of ours was cut off: drop our parts.
      const stale = this.uploads.get(key);
      if (stale) {
        await this.store.abortUpload(stale);
        this.uploads.delete(key);
      }
    }
    const total = missing.reduce((sum, [, size]) => sum + size, 0);
    let done = 0;
    for (const [sha256, size] of missing) {
      throwIfCancelled(options.signal);
      // Only bytes that still are what their name says leave this machine.
      const check = await this.registry.blobs.check(sha256);
      if (check !== 'ok') {
        throw new RegistryError('CORRUPT', `Blob ${sha256} of a pending version is ${check} in this registry, so it cannot be pushed. Run 'mreg verify'.`);
      }
      // Cancelling stops the upload mid-file; what went up is kept for the next sync to continue.
      const progress = (bytes: number) => {
        throwIfCancelled(options.signal);
        options.onProgress?.(done + bytes, total, sha256);
      };
      await this.store.putFile(blobKey(sha256), this.registry.blobs.pathOf(sha256), progress, this.uploads);
      done += size;
      result.uploadedBlobs += 1;
      result.bytesUp += size;
    }
  }

  /** Local op-log lines after the confirmed position, checked to continue it. */
  private pendingLines(state: SyncStateRecord) {
    const lines = this.registry.logLinesAfter(state.confirmed.offset);
    const first = lines[0]?.events[0];
    if (first && (first.seq !== state.confirmed.seq + 1 || first.prev !== state.confirmed.hash)) {
      throw new RegistryError('CONFLICT', `The local op log does not continue where the last sync left it (event #${state.confirmed.seq}); it was changed outside Model Registry. Run 'mreg verify'.`);
    }
    return lines;
  }

}

function snapshotKey(seq: number): string {
  return `${SNAPSHOT_PREFIX}${String(seq).padStart(20, '0')}.jsonl`;
}

function snapshotSeqOf(key: string): number | undefined {
  const match = /^snapshots\/(\d{20})\.jsonl$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

function sample<T>(items: T[], count: number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
