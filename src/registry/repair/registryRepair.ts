import { copyFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { ulid } from 'ulid';
import { checkEventChain, EVENT_FORMAT_VERSION, hashEvent, sealEvents, type EventDraft, type RegistryEvent } from '../../core/events';
import { parseManifest } from '../../core/manifest';
import { migrate } from '../../core/migrations';
import { Projection } from '../../core/projection';
import { formatRef } from '../../core/refs';
import { isRegistryError } from '../../core/registryError';
import { SqlDatabase } from '../../core/sqlDatabase';
import type { Stage } from '../../core/stage';
import type { BlobStore } from '../../store/blobStore';
import { OpLog } from '../../store/persistence/opLog';
import { scanOpLog } from '../../store/persistence/opLogScan';
import { SnapshotFiles } from '../../store/persistence/snapshotFiles';
import type { RegistryFolder } from '../../store/registryFolder';

export interface RepairReport {
  /** False when the log was sound and nothing was changed. */
  repaired: boolean;
  /** The damaged log as it was, kept beside the new one. */
  keptAs?: string;
  /** The last event of the intact part of the log, kept as it was. */
  intactUpTo: number;
  /** Bytes after the damage that held no readable batch. */
  unreadableBytes: number;
  /** Readable batches after the damage, put back (re-chained) into the log. */
  rechained: number;
  /** Versions the log had lost and the newest intact snapshot still held, written back as events. */
  restored: string[];
  /** What is gone: batches that no longer fit, and the reason. */
  lost: string[];
  /** Snapshots that no longer match the new log, set aside. */
  setAside: string[];
  /** What a pull from the shared store brought back afterwards, when the caller did one. */
  pulled?: string[];
}

export interface RepairInput {
  folder: RegistryFolder;
  blobs: BlobStore;
  actor: string;
  now?: Date;
}

/**
 * Rebuilds a damaged op log (the caller holds the writer lock and reloads afterwards):
 * 1. keeps the intact prefix as it is, and the whole damaged file aside (`oplog.jsonl.damaged-<time>`);
 * 2. re-chains the readable batches after the damage, in order, each only if it still applies;
 * 3. writes back, from the newest intact snapshot, the versions (with stage, tags and aliases) that
 *    the log lost and the snapshot holds, their manifests read from the blob store;
 * 4. ends with a `registry.repaired` event naming what was kept, restored and lost.
 * Snapshots past the intact prefix no longer match the log and are set aside.
 */
export function repairOpLog({ folder, blobs, actor, now = new Date() }: RepairInput): RepairReport {
  const log = new OpLog(folder.opLogFile);
  const snapshots = new SnapshotFiles(folder.snapshotsDir);
  const scan = scanOpLog(log);
  const snapshot = snapshots.readNewestIntact(() => undefined);
  const snapshotAhead = snapshot !== undefined && snapshot.seq > scan.intactHead.seq;
  const report: RepairReport = { repaired: false, intactUpTo: scan.intactHead.seq, unreadableBytes: scan.unreadableBytes, rechained: 0, restored: [], lost: [], setAside: [] };
  if (!scan.damage && !snapshotAhead) return report;

  const database = SqlDatabase.openLoaded(undefined);
  try {
    migrate(database);
    const projection = new Projection(database);
    database.transaction(() => {
      for (const line of log.rawLinesAfter(0)) {
        if (line.end > scan.intactEnd) break;
        projection.applyBatch(OpLog.parse(line)!, line.end);
      }
    });
    let head = { seq: scan.intactHead.seq, hash: scan.intactHead.hash };
    let offset = scan.intactEnd;
    const lines: Buffer[] = [];
    /** Applies a batch to the rebuilt registry if it fits; true when it was kept. */
    const keep = (events: RegistryEvent[]): boolean => {
      const line = OpLog.encode(events);
      try {
        database.transaction(() => projection.applyBatch(events, offset + line.length));
      } catch (error) {
        projection.forgetCachedKeys();
        if (!isRegistryError(error)) throw error;
        return false;
      }
      checkEventChain(events, head);
      lines.push(line);
      offset += line.length;
      const last = events[events.length - 1];
      head = { seq: last.seq, hash: last.hash };
      return true;
    };

    for (const batch of scan.salvageable) {
      const rechained = rechain(batch.events, head);
      if (keep(rechained)) report.rechained += 1;
      else report.lost.push(`the batch at byte ${batch.start} (${describeBatch(batch.events)}): it no longer applies without what was lost before it`);
    }
    if (snapshot && snapshotAhead) {
      const held = SqlDatabase.openLoaded(snapshot.data);
      try {
        for (const restore of versionsMissingFrom(held, database, blobs, report.lost)) {
          const events = sealWith(restore.events, head, restore.time, restore.actor, now);
          if (keep(events)) report.restored.push(restore.ref);
          else report.lost.push(`${restore.ref}, held by the snapshot: it no longer fits the repaired log`);
        }
      } finally {
        held.close();
      }
    }
    if (scan.unreadableBytes > 0) report.lost.push(`${scan.unreadableBytes} unreadable bytes after byte ${scan.intactEnd} (whatever events they held, unless restored above)`);

    const keptAs = `${log.file}.damaged-${now.toISOString().replace(/[:.]/g, '-')}`;
    copyFileSync(log.file, keptAs);
    report.keptAs = keptAs;
    const summary = sealEvents(
      [{ type: 'registry.repaired', model: '', payload: { keptAs: path.basename(keptAs), intactUpTo: report.intactUpTo, unreadableBytes: report.unreadableBytes, rechained: report.rechained, restored: report.restored, lost: report.lost } }],
      head,
      actor,
      now,
    );
    if (!keep(summary)) throw new Error('the repair event did not apply');
    for (const stale of snapshots.list()) {
      if (stale.seq <= scan.intactHead.seq) continue;
      renameSync(stale.file, `${stale.file}.superseded`);
      report.setAside.push(path.basename(stale.file));
    }
    log.rewriteFrom(scan.intactEnd, lines);
    report.repaired = true;
    return report;
  } finally {
    database.close();
  }
}

/** The events again, after `head`: same ids, times, actors and content; new sequence numbers and links. */
function rechain(events: readonly RegistryEvent[], head: { seq: number; hash: string }): RegistryEvent[] {
  let { seq, hash } = head;
  return events.map((event) => {
    const { hash: _old, ...rest } = event;
    seq += 1;
    const unsealed = { ...rest, seq, prev: hash } as Omit<RegistryEvent, 'hash'>;
    hash = hashEvent(unsealed);
    return { ...unsealed, hash } as RegistryEvent;
  });
}

/** Seals drafts keeping the time and actor the snapshot recorded, so the restored rows read as before. */
function sealWith(drafts: EventDraft[], head: { seq: number; hash: string }, time: string, actor: string, now: Date): RegistryEvent[] {
  let { seq, hash } = head;
  return drafts.map((draft) => {
    seq += 1;
    const unsealed = { ...draft, v: EVENT_FORMAT_VERSION, seq, id: ulid(now.getTime()), time, actor, prev: hash } as Omit<RegistryEvent, 'hash'>;
    hash = hashEvent(unsealed);
    return { ...unsealed, hash } as RegistryEvent;
  });
}

function describeBatch(events: readonly RegistryEvent[]): string {
  return events.map((event) => `${event.type}${event.model ? ` ${event.version === undefined ? event.model : formatRef(event.model, event.version)}` : ''}`).join(', ');
}

interface VersionToRestore {
  ref: string;
  time: string;
  actor: string;
  events: EventDraft[];
}

/** Versions (and their models, tags and aliases) that `held` has and `rebuilt` lacks, as drafts, oldest first. */
function versionsMissingFrom(held: SqlDatabase, rebuilt: SqlDatabase, blobs: BlobStore, lost: string[]): VersionToRestore[] {
  const rows = held.all<{ id: number; model: string; model_description: string | null; number: number; ulid: string; semver: string | null; stage: string; fingerprint: string; description: string | null; created_at: string; created_by: string }>(
    `SELECT v.id, m.name AS model, m.description AS model_description, v.number, v.ulid, v.semver, v.stage, v.fingerprint, v.description, v.created_at, v.created_by
       FROM model_versions v JOIN models m ON m.id = v.model_id ORDER BY v.created_at, v.id`,
  );
  const restores: VersionToRestore[] = [];
  const modelsCreated = new Set<string>();
  for (const row of rows) {
    if (rebuilt.get('SELECT 1 AS found FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = ? AND v.number = ?', [row.model, row.number])) continue;
    const drafts: EventDraft[] = [];
    if (!modelsCreated.has(row.model) && !rebuilt.get('SELECT 1 AS found FROM models WHERE name = ?', [row.model])) {
      drafts.push({ type: 'model.created', model: row.model, payload: row.model_description ? { description: row.model_description } : {} });
      modelsCreated.add(row.model);
    }
    let manifest;
    try {
      manifest = parseManifest(JSON.parse(blobs.readBytes(row.fingerprint).toString('utf8')) as unknown, `of ${formatRef(row.model, row.number)} (from the snapshot)`);
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      lost.push(`${formatRef(row.model, row.number)}, held by the snapshot: ${error.message}`);
      continue;
    }
    const tags = Object.fromEntries(held.all<{ key: string; value: string }>('SELECT key, value FROM version_tags WHERE version_id = ? ORDER BY key', [row.id]).map((tag) => [tag.key, tag.value]));
    drafts.push({
      type: 'version.registered',
      model: row.model,
      version: row.number,
      payload: { id: row.ulid, stage: row.stage as Stage, tags, fingerprint: row.fingerprint, manifest, ...(row.semver ? { semver: row.semver } : {}), ...(row.description ? { description: row.description } : {}) },
      reason: 'restored by mreg repair from a snapshot',
    });
    for (const alias of held.all<{ alias: string }>('SELECT alias FROM aliases WHERE version_id = ? ORDER BY alias', [row.id])) {
      drafts.push({ type: 'version.alias_set', model: row.model, version: row.number, payload: { alias: alias.alias } });
    }
    restores.push({ ref: formatRef(row.model, row.number), time: row.created_at, actor: row.created_by, events: drafts });
  }
  return restores;
}
