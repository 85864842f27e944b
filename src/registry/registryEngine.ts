import { linkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sealEvents, checkEventChain, type EventDraft, type RegistryEvent } from '../core/events';
import { loadPolicy, type Policy, type Webhook } from '../core/governance/policy';
import { parseManifest, type Manifest } from '../core/manifest';
import { migrate } from '../core/migrations';
import type { ModelVersion } from '../core/modelVersion';
import { Projection } from '../core/projection';
import { formatRef } from '../core/refs';
import { RegistryError, isRegistryError } from '../core/registryError';
import { RegistryQueries } from '../core/registryQueries';
import { SqlDatabase } from '../core/sqlDatabase';
import { projectRelative } from '../lineage/projectFiles';
import { BlobStore } from '../store/blobStore';
import { OpLog, type OpLogLine, type RawOpLogLine } from '../store/persistence/opLog';
import { scanOpLog } from '../store/persistence/opLogScan';
import { SnapshotFiles } from '../store/persistence/snapshotFiles';
import { WriterLock } from '../store/persistence/writerLock';
import { RegistryFolder } from '../store/registryFolder';
import { StatCache } from '../store/statCache';
import { resolveActor } from './actor';
import { currentActingActor } from './actingActor';
import { policyCommandApproval } from './governance/policyTrust';
import { deliverWebhooks } from './webhooks';

export interface RegistryOptions {
  /** The registry folder itself (usually `<project>/.modelregistry`). */
  folder: string;
  /** Paths in manifests are recorded relative to this; defaults to the registry folder's parent. */
  projectRoot?: string;
  /** Who acts; defaults to git's user.email for the project, else the OS user. */
  actor?: string;
  /**
   * This process is about to write: who acts is found out while the registry loads. Asking git
   * means starting a process, and Linux copies the parent's page tables to do that, so from a
   * process holding 100k versions it costs ~20 ms of this thread, and ~2 ms before they are loaded.
   */
  willWrite?: boolean;
  /** Long-lived hosts (the extension) write a snapshot this long after the last change. */
  checkpointAfterIdleMs?: number;
  /** Where non-fatal problems go (a failed webhook); default: stderr. */
  onWarning?: (message: string) => void;
  /** True while the host does not trust the workspace (VS Code's Restricted Mode): policy.yaml's commands never run then. */
  restrictedMode?: () => boolean;
}

/** Where the registry is in its op log: the last event applied and the byte just past its line. */
export interface LogPosition {
  seq: number;
  hash: string;
  offset: number;
}

/**
 * Damage that stops replay: the registry shows what comes before it and refuses every change
 * until `mreg repair` has rebuilt the log.
 */
export interface LogDamage {
  /** Byte of the op log where the damage starts. */
  offset: number;
  /** The last event shown. */
  shownUpTo: number;
  message: string;
}

/** What a use case decides under the writer lock: the events to append, and how to read the result once they are applied. */
export interface MutationPlan<T> {
  drafts: EventDraft[];
  result: () => T;
}

/** A database is written out as a snapshot on close when it is this small (cheap) … */
const CHEAP_SNAPSHOT_BYTES = 16 * 1024 * 1024;
/** … or when this many events have piled up since the last snapshot (replay grows). */
const SNAPSHOT_EVERY_EVENTS = 1000;

/** Room left in each snapshot for the writes after it is opened (see SqlDatabase.reserveFreePages). */
const FREE_PAGE_RESERVE = 0.03;

/** Milliseconds per phase of opening (or reloading) a registry. */
export interface LoadTimings {
  /** Loading and compiling sql.js (once per process). */
  sqlJsMs: number;
  /** Reading the newest snapshot, and hashing it unless it was verified before. */
  snapshotMs: number;
  snapshotBytes: number;
  snapshotHashed: boolean;
  /** Handing the snapshot to SQLite and checking its schema version. */
  databaseMs: number;
  /** Parsing and applying op-log events newer than the snapshot. */
  replayMs: number;
  replayedEvents: number;
}

/**
 * The event-sourced state under every use case. Reads come from an in-memory sql.js database;
 * every mutation is an event appended and fsync'd to the op log under the writer lock before it is
 * acknowledged, and the database is a snapshot of that log.
 */
export class RegistryEngine {
  readonly folder: RegistryFolder;
  readonly projectRoot: string;
  readonly blobs: BlobStore;
  readonly statCache: StatCache;
  readonly lock: WriterLock;
  /** Things a person should know about how the registry was opened (a damaged snapshot, say). */
  readonly warnings: string[] = [];

  private readonly opLog: OpLog;
  private readonly snapshots: SnapshotFiles;
  private database!: SqlDatabase;
  private projection!: Projection;
  private registryQueries!: RegistryQueries;
  private head: LogPosition = { seq: 0, hash: '', offset: 0 };
  /** The op log file this process has read; another one in its place was rewritten by sync. */
  private logInode: number | undefined;
  private actorName: Promise<string> | undefined;
  private readonly listeners = new Set<() => void>();
  private checkpointTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly deliveries = new Set<Promise<void>>();
  /** Set while this process holds the writer lock (inside mutate or a log rewrite). */
  private holdingLock = false;
  private damageFound: LogDamage | undefined;
  /** Where the last load spent its time: for diagnostics and the benchmarks, never for decisions. */
  readonly loadTimings: LoadTimings = { sqlJsMs: 0, snapshotMs: 0, snapshotBytes: 0, snapshotHashed: false, databaseMs: 0, replayMs: 0, replayedEvents: 0 };

  private constructor(private readonly options: RegistryOptions) {
    this.folder = new RegistryFolder(path.resolve(options.folder));
    this.projectRoot = path.resolve(options.projectRoot ?? path.dirname(this.folder.root));
    this.opLog = new OpLog(this.folder.opLogFile);
    this.lock = new WriterLock(this.folder.lockFile);
    this.statCache = new StatCache(this.folder.statCacheDir);
    this.snapshots = new SnapshotFiles(this.folder.snapshotsDir, this.statCache);
    this.blobs = new BlobStore(this.folder.root, this.statCache);
    if (options.actor) this.actorName = Promise.resolve(options.actor);
  }

  /** Opens (or, on first write, creates) the registry in `options.folder`. */
  static async open(options: RegistryOptions): Promise<RegistryEngine> {
    const engine = new RegistryEngine(options);
    engine.folder.checkFormat();
    if (options.willWrite) void engine.actor();
    const started = performance.now();
    await SqlDatabase.ready();
    engine.loadTimings.sqlJsMs = performance.now() - started;
    engine.loadNow();
    return engine;
  }

  /** The database as of the last refresh; callers refresh (or hold the lock) first. */
  get db(): SqlDatabase {
    return this.database;
  }

  get queries(): RegistryQueries {
    return this.registryQueries;
  }

  get position(): LogPosition {
    return this.head;
  }

  /** Why the registry is read-only, when its op log is damaged; undefined when it is sound. */
  get damage(): LogDamage | undefined {
    return this.damageFound;
  }

  /** Picks up what other processes (the CLI beside the extension) wrote; true when something changed. */
  refresh(): boolean {
    this.assertOpen();
    const changed = this.catchUp();
    if (changed) this.changed();
    return changed;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Every mutation: under the writer lock, catch up with other writers, decide (throwing leaves
   * everything as it was), then apply to the database and append + fsync to the op log inside one
   * synchronous transaction, so no other code runs in between. A failed append rolls the database
   * back; a returned value means the events are durable.
   */
  async mutate<T>(plan: () => MutationPlan<T>): Promise<T> {
    this.assertOpen();
    const actor = await this.actor();
    this.folder.initialize();
    return this.lock.withLock(() =>
      this.whileHoldingLock(() => {
        this.catchUp();
        this.assertWritable();
        const { drafts, result } = plan();
        if (drafts.length === 0) return result();
        const events = sealEvents(drafts, this.head, actor);
        this.commitLine(events, OpLog.encode(events));
        const value = result();
        this.changed();
        this.notifyWebhooks(events);
        return value;
      }),
    );
  }

  /**
   * Runs `repair` (which rewrites the op log) under the writer lock, then reloads from what it wrote.
   * Allowed while damaged: it is the way out.
   */
  async repairLog<T>(repair: (actor: string) => T): Promise<T> {
    this.assertOpen();
    const actor = await this.actor();
    return this.lock.withLock(() =>
      this.whileHoldingLock(() => {
        const result = repair(actor);
        this.projection.forgetCachedKeys();
        this.database.close();
        this.loadNow();
        this.changed();
        return result;
      }),
    );
  }

  /** Refuses changes while the op log is damaged: a write after the damage would be lost by the repair, or bury it. */
  assertWritable(): void {
    if (this.damageFound) throw new RegistryError('CORRUPT', `${this.damageFound.message} Nothing was changed.`);
  }


  /** The actor `runActingAs` names for the work in progress, else the registry's own, resolved once on first need. */
  actor(): Promise<string> {
    const acting = currentActingActor();
    if (acting) return Promise.resolve(acting);
    this.actorName ??= resolveActor(this.projectRoot);
    return this.actorName;
  }

  /** The project's policy (`policy.yaml` in the registry folder); empty when there is none. */
  policy(): Policy {
    return loadPolicy(this.folder.root);
  }

  /** A version's full manifest, read from its content-addressed blob. */
  manifestOf(version: ModelVersion): Manifest {
    const where = `of ${formatRef(version.model, version.number)}`;
    return parseManifest(JSON.parse(this.blobs.readBytes(version.fingerprint).toString('utf8')) as unknown, where);
  }

  projectRelative(file: string): string {
    return projectRelative(this.projectRoot, path.resolve(file));
  }

  // ── persistence ────────────────────────────────────────────────────────────

  /** Writes the database out as a snapshot, so the next open replays less of the log. */
  checkpoint(): void {
    this.assertOpen();
    // A log rewritten by sync since the last read would otherwise be snapshotted from stale rows.
    this.catchUp();
    if (this.damageFound || this.head.seq <= this.snapshots.newestSeq()) return;
    this.database.reserveFreePages(Math.max(1024 * 1024, Math.round(this.database.sizeInBytes() * FREE_PAGE_RESERVE)));
    this.snapshots.write(this.database.export(), this.head.seq);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await Promise.all(this.deliveries);
    clearTimeout(this.checkpointTimer);
    try {
      const behind = this.head.seq - this.snapshots.newestSeq();
      if (behind > 0 && (behind >= SNAPSHOT_EVERY_EVENTS || this.database.sizeInBytes() <= CHEAP_SNAPSHOT_BYTES)) this.checkpoint();
    } catch {
      // A snapshot only saves replay time; a read-only folder is no reason to fail closing.
    }
    this.closed = true;
    this.listeners.clear();
    this.database.close();
  }

  /** The op log itself, for the integrity check. */
  get log(): OpLog {
    return this.opLog;
  }

  // ── sync: the op log as the shared store sees it ─────────────────────────

  /** The op log's complete lines after `offset`. */
  logLinesAfter(offset: number): OpLogLine[] {
    this.assertOpen();
    return [...this.opLog.linesAfter(offset)];
  }

  /**
   * Under the writer lock, replaces the op log after `base` (the end of a line) with the lines
   * `plan` makes of what is there now. Nothing after `base` is appended in place; anything else
   * rewrites the log's tail (see OpLog.rewriteFrom), drops snapshots that contain the old tail and
   * reloads. Returns the offset just past each new line. Throws CONFLICT when the log no longer
   * holds `base`, and leaves the log as it was when the new lines do not apply.
   */
  async replaceLogTail(base: LogPosition, plan: (tail: OpLogLine[]) => RegistryEvent[][]): Promise<number[]> {
    this.assertOpen();
    this.folder.initialize();
    return this.lock.withLock(() => this.whileHoldingLock(() => {
      this.catchUp();
      this.assertWritable();
      const tail = [...this.opLog.linesAfter(base.offset)];
      const first = tail[0]?.events[0];
      const holdsBase = first ? first.seq === base.seq + 1 && first.prev === base.hash : this.head.offset === base.offset && this.head.hash === base.hash;
      if (!holdsBase) {
        throw new RegistryError('CONFLICT', `The op log no longer ends with event #${base.seq} at byte ${base.offset} where the last sync left it; it was changed outside Model Registry. Run 'mreg verify'.`);
      }
      const lines = plan(tail).filter((events) => events.length > 0);
      const encoded = lines.map((events) => OpLog.encode(events));
      const ends: number[] = [];
      let end = base.offset;
      for (const line of encoded) ends.push((end += line.length));
      if (tail.length === 0) {
        for (const [index, events] of lines.entries()) this.appendSealed(events, encoded[index], ends[index]);
        return ends;
      }
      // The old log stays reachable under a second name until the new one has loaded.
      const keep = `${this.opLog.file}.before-sync`;
      rmSync(keep, { force: true });
      linkSync(this.opLog.file, keep);
      try {
        this.removeSnapshotsAfter(base.seq);
        this.opLog.rewriteFrom(base.offset, encoded);
        this.removeSnapshotsAfter(base.seq);
        this.catchUp();
      } catch (error) {
        renameSync(keep, this.opLog.file);
        this.catchUp();
        throw error;
      }
      rmSync(keep, { force: true });
      this.changed();
      return ends;
    }));
  }

  private whileHoldingLock<T>(work: () => T): T {
    this.holdingLock = true;
    try {
      return work();
    } finally {
      this.holdingLock = false;
    }
  }

  private removeSnapshotsAfter(seq: number): void {
    for (const snapshot of this.snapshots.list()) if (snapshot.seq > seq) rmSync(snapshot.file, { force: true });
  }

  /** Appends events sealed elsewhere (pulled from the shared store) as one line: checked, applied, then made durable. */
  private appendSealed(events: RegistryEvent[], line: Buffer, offset: number): void {
    checkEventChain(events, this.head);
    if (offset !== this.head.offset + line.length) throw new RegistryError('CONFLICT', 'The op log moved while sync was appending to it; sync again.');
    this.commitLine(events, line);
    this.changed();
  }

  // ── loading and replay ────────────────────────────────────────────────────

  private loadNow(): void {
    this.logInode = this.opLog.fileState().inode;
    this.damageFound = undefined;
    const timings = this.loadTimings;
    let started = performance.now();
    const snapshot = this.snapshots.readNewestIntact((file) => this.setAsideDamagedSnapshot(file));
    timings.snapshotMs = performance.now() - started;
    timings.snapshotBytes = snapshot?.data.length ?? 0;
    timings.snapshotHashed = snapshot?.hashed ?? false;
    try {
      started = performance.now();
      this.openDatabase(snapshot?.data);
      timings.databaseMs = performance.now() - started;
      if (snapshot && this.snapshotIsAheadOfLog(snapshot.seq)) return;
      this.checkSnapshotAgainstLog();
      started = performance.now();
      const before = this.head.seq;
      this.catchUp();
      timings.replayMs = performance.now() - started;
      timings.replayedEvents = this.head.seq - before;
    } catch (error) {
      if (!snapshot || !isRegistryError(error, 'CORRUPT')) throw error;
      // The snapshot and the op log disagree; the log is the truth, so rebuild from it alone.
      this.database.close();
      this.warnings.push(`The database snapshot did not match the op log (${error.message}); the registry was rebuilt from the op log.`);
      this.openDatabase(undefined);
      this.catchUp();
    }
  }

  /**
   * A snapshot holds events the op log no longer has: the log was cut (a bad copy, a tool that
   * truncated it) after those events were acknowledged. The snapshot shows them, read-only, so
   * nothing acknowledged disappears; `mreg repair` writes them back into the log.
   */
  private snapshotIsAheadOfLog(snapshotSeq: number): boolean {
    const { size } = this.opLog.fileState();
    if (this.head.offset <= size) return false;
    const scan = scanOpLog(this.opLog);
    if (scan.intactHead.seq >= snapshotSeq) return false;
    const damage = scan.damage && scan.damage.kind !== 'torn-tail' ? scan.damage : undefined;
    const what = damage
      ? `is damaged at byte ${damage.offset} (${damage.kind === 'broken-chain' ? damage.detail.replace(/\.$/, '') : 'that line is not a batch of events'}), so it holds events only up to #${scan.intactHead.seq}`
      : `was cut short: it ends after event #${scan.intactHead.seq} (byte ${scan.intactEnd})`;
    this.setDamage(
      scan.intactEnd,
      `The op log ${this.opLog.file} ${what}, but the snapshot holds events up to #${snapshotSeq}. The registry is shown from the snapshot and is read-only; run 'mreg repair' to write the missing events back into the log.`,
    );
    return true;
  }

  /** A snapshot taken before sync rewrote the log's tail may end where a different event now ends. */
  private checkSnapshotAgainstLog(): void {
    if (this.head.offset === 0) return;
    const line = this.opLog.lineEndingAt(this.head.offset);
    if (line && line[line.length - 1].hash !== this.head.hash) {
      throw new RegistryError('CORRUPT', `the snapshot's last event #${this.head.seq} is not the op log's event at that place`);
    }
  }

  private openDatabase(data: Buffer | undefined): void {
    try {
      this.database = SqlDatabase.openLoaded(data);
      this.database.exec('PRAGMA foreign_keys = ON');
      migrate(this.database);
    } catch (error) {
      if (isRegistryError(error)) throw error;
      throw new RegistryError('CORRUPT', `The database snapshot cannot be read: ${(error as Error).message}`);
    }
    this.projection = new Projection(this.database);
    this.registryQueries = new RegistryQueries(this.database);
    this.head = this.projection.position();
  }

  private setAsideDamagedSnapshot(file: string): void {
    this.warnings.push(`The snapshot ${path.basename(file)} is damaged (its bytes no longer match its checksum); it was set aside and the registry rebuilt from the op log.`);
    try {
      renameSync(file, `${file}.damaged`);
    } catch {
      // another process set it aside already
    }
  }

  /**
   * Applies op-log lines that this process has not seen yet; true when there were any. Replay stops
   * at damage (a line that is no batch, or does not continue the chain): what comes before is
   * shown, the registry turns read-only, and the message says where and what to do. A last line
   * without its newline is a write under way, or one a crash cut short: see settleTornTail.
   */
  private catchUp(): boolean {
    const { inode, size } = this.opLog.fileState();
    if (this.logInode === undefined) this.logInode = inode;
    else if (inode !== undefined && inode !== this.logInode) {
      this.projection.forgetCachedKeys();
      this.database.close();
      this.loadNow();
      return true;
    }
    if (this.damageFound || size === this.head.offset) return false;
    if (size < this.head.offset) {
      this.setDamage(
        size,
        `The op log ${this.opLog.file} is shorter (${size} bytes) than what this registry already read (${this.head.offset} bytes, up to event #${this.head.seq}): it was truncated or replaced. The registry is read-only; run 'mreg repair'.`,
      );
      return false;
    }
    let position = this.head;
    let torn: RawOpLogLine | undefined;
    try {
      this.database.transaction(() => {
        for (const line of this.opLog.rawLinesAfter(position.offset)) {
          if (!line.complete) {
            torn = line;
            break;
          }
          const events = OpLog.parse(line);
          const link = events ? this.linkOrDamage(events, position, line) : this.damagedAt(line, position.seq, 'that line is not a batch of events');
          if (!events || !link) break;
          this.projection.applyBatch(events, line.end);
          position = { ...link, offset: line.end };
        }
      });
    } catch (error) {
      this.projection.forgetCachedKeys();
      throw error;
    }
    const changed = position.offset !== this.head.offset;
    this.head = position;
    if (torn && !this.damageFound) this.settleTornTail(torn);
    return changed;
  }

  /** The chain link the batch ends with, or undefined (and the registry marked damaged) when it does not continue the chain. */
  private linkOrDamage(events: RegistryEvent[], position: LogPosition, line: RawOpLogLine): { seq: number; hash: string } | undefined {
    try {
      return checkEventChain(events, position);
    } catch (error) {
      if (!isRegistryError(error, 'CORRUPT')) throw error;
      this.damagedAt(line, position.seq, error.message.replace(/\.$/, ''));
      return undefined;
    }
  }

  private damagedAt(line: RawOpLogLine, shownUpTo: number, what: string): undefined {
    this.setDamage(
      line.start,
      `The op log ${this.opLog.file} is damaged at byte ${line.start} (${what}). Versions and changes recorded after event #${shownUpTo} are not shown, and the registry is read-only; run 'mreg repair' (it keeps the damaged file aside and says what it recovered).`,
      shownUpTo,
    );
    return undefined;
  }

  private setDamage(offset: number, message: string, shownUpTo = this.head.seq): void {
    this.damageFound = { offset, shownUpTo, message };
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /**
   * A last line without its newline. While a live writer holds the lock it is a write under way and
   * is left alone. Otherwise a writer died mid-append, before it acknowledged anything: the bytes
   * are kept aside in `oplog.jsonl.torn-<offset>`, cut from the log, and reported once (by the
   * process that cut them).
   */
  private settleTornTail(torn: RawOpLogLine): void {
    const cut = () => {
      const now = [...this.opLog.rawLinesAfter(torn.start)];
      if (now.length !== 1 || now[0].complete) return false;
      const keptAs = `${this.opLog.file}.torn-${torn.start}`;
      writeFileSync(keptAs, now[0].bytes);
      this.opLog.truncate(torn.start);
      this.warnings.push(
        `The op log ended in a half-written line (${now[0].bytes.length} bytes at byte ${torn.start}) left by a write that was interrupted before it finished; that change was never acknowledged. It was cut from the log and kept in ${path.basename(keptAs)}.`,
      );
      return true;
    };
    try {
      if (this.holdingLock) cut();
      else this.lock.withLockIfFree(cut);
    } catch {
      // A read-only folder: the line stays, ignored as before, and the next writer cuts it.
    }
  }

  /** Applies one line's events to the database and appends it to the op log, in one synchronous transaction. */
  private commitLine(events: RegistryEvent[], line: Buffer): void {
    const offset = this.head.offset + line.length;
    try {
      this.database.transaction(() => {
        // The database checks the events first; only then do they become durable.
        this.projection.applyBatch(events, offset);
        this.opLog.append(line, this.head.offset);
      });
    } catch (error) {
      this.projection.forgetCachedKeys();
      throw error;
    }
    const last = events[events.length - 1];
    this.head = { seq: last.seq, hash: last.hash, offset };
  }

  /** Webhooks run after the events are durable; close() waits for them, and failures only warn. */
  private notifyWebhooks(events: RegistryEvent[]): void {
    const warn = this.options.onWarning ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
    let hooks: Webhook[];
    try {
      hooks = this.policy().webhooks ?? [];
    } catch (error) {
      warn(`webhooks not run: ${(error as Error).message}`);
      return;
    }
    if (hooks.length === 0) return;
    const commands = policyCommandApproval(this.folder.root, { restrictedMode: this.options.restrictedMode?.() });
    const delivery = deliverWebhooks(hooks, events, warn, commands).finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
    if (this.options.checkpointAfterIdleMs !== undefined) {
      clearTimeout(this.checkpointTimer);
      this.checkpointTimer = setTimeout(() => {
        try {
          if (!this.closed) this.checkpoint();
        } catch {
          // retried after the next change, and on close
        }
      }, this.options.checkpointAfterIdleMs);
      this.checkpointTimer.unref();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new RegistryError('IO', 'This registry has been closed.');
  }
}
