import { copyFileSync, rmSync, statSync, truncateSync } from 'node:fs';
import { checkEventChain, type RegistryEvent } from '../core/events';
import { isRegistryError, RegistryError } from '../core/registryError';
import { sha256Hex } from '../core/sha256';
import { OpLog } from '../store/persistence/opLog';
import { batchKey, EMPTY_REMOTE, type LogBatch, type RemoteHead } from './logBatch';
import type { SyncContext, SyncResult } from './syncContext';
import type { SyncStateRecord } from './syncState';

const SNAPSHOT_PREFIX = 'snapshots/';

/**
 * A snapshot for new clients: the op log up to batch `seq` (JSON lines of events), so a first
 * sync reads one object instead of every batch. It need not be trusted: its events must chain
 * from the beginning and end with the last event of batch `seq`, which commits to all of them.
 */
export async function writeSnapshot(sync: SyncContext, state: SyncStateRecord): Promise<void> {
  const temporary = sync.registry.blobs.temporaryFile();
  try {
    copyFileSync(sync.registry.folder.opLogFile, temporary);
    truncateSync(temporary, state.confirmed.offset);
    await sync.store.putFile(snapshotKey(state.remote.seq), temporary);
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** The newest snapshot that checks out against its batch; damaged ones are passed over with a warning. */
export async function readNewestSnapshot(sync: SyncContext, result: SyncResult): Promise<{ lines: RegistryEvent[][]; head: RemoteHead } | undefined> {
  const keys = (await sync.store.list(SNAPSHOT_PREFIX)).filter((key) => snapshotSeqOf(key) !== undefined).reverse();
  for (const key of keys) {
    const seq = snapshotSeqOf(key)!;
    const temporary = sync.registry.blobs.temporaryFile();
    try {
      const batchBytes = await sync.store.get(batchKey(seq));
      if (!batchBytes || !(await sync.store.getToFile(key, temporary))) continue;
      result.bytesDown += batchBytes.length + statSync(temporary).size;
      const lines = [...new OpLog(temporary).linesAfter(0)].map((line) => line.events);
      const link = checkEventChain(lines.flat(), { seq: 0, hash: EMPTY_REMOTE.hash });
      const batch = JSON.parse(batchBytes.toString('utf8')) as LogBatch;
      const last = batch.events[batch.events.length - 1];
      if (batch.seq !== seq || last.seq !== link.seq || last.hash !== link.hash) throw new RegistryError('CORRUPT', `it does not end with the last event of batch ${seq}`);
      return { lines, head: { seq, hash: sha256Hex(batchBytes), event: link } };
    } catch (error) {
      if (!isRegistryError(error, 'CORRUPT') && !(error instanceof SyntaxError)) throw error;
      result.warnings.push(`The snapshot ${key} in ${sync.store.description} is damaged (${error.message}); it was passed over.`);
    } finally {
      rmSync(temporary, { force: true });
    }
  }
  return undefined;
}

function snapshotKey(seq: number): string {
  return `${SNAPSHOT_PREFIX}${String(seq).padStart(20, '0')}.jsonl`;
}

function snapshotSeqOf(key: string): number | undefined {
  const match = /^snapshots\/(\d{20})\.jsonl$/.exec(key);
  return match ? Number(match[1]) : undefined;
}
