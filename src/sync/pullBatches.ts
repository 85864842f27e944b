import type { RegistryEvent } from '../core/events';
import { manifestBytes } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { readNewestSnapshot } from './bootstrapSnapshots';
import { batchKey, batchSeqOf, decodeBatch, invalidBatchError, LOG_PREFIX } from './logBatch';
import { SharedLogState } from './sharedLogState';
import { rebasePending, type RebaseReport } from './rebase';
import type { SyncContext, SyncResult } from './syncContext';
import type { SyncStateRecord } from './syncState';

/**
 * Pull: reads the batches after the last one seen (a first sync starts from the newest snapshot),
 * then rewrites the local log's tail as those batches followed by the pending lines rebased on top.
 * A damaged or missing batch stops the reading there: the batches before it are applied, then it is reported.
 */
export async function pullBatches(sync: SyncContext, state: SyncStateRecord, result: SyncResult): Promise<SyncStateRecord> {
  let head = state.remote;
  const batches: RegistryEvent[][] = [];
  const policy = sync.registry.policy();
  let logState = sync.logState.load(state);
  let logStateMatches = true;
  if (head.seq === 0) {
    const snapshot = await readNewestSnapshot(sync, result);
    const fromSnapshot = SharedLogState.empty();
    const refused = snapshot && fromSnapshot.admitBatch(snapshot.lines.flat(), policy);
    if (snapshot && refused) {
      result.warnings.push(`${invalidBatchError(snapshot.head.seq, sync.store.description, refused.event, refused.problem).message.split('. It was')[0]} (in the snapshot of it): the snapshot was passed over; reading the batches instead.`);
    } else if (snapshot) {
      batches.push(...snapshot.lines);
      head = snapshot.head;
      logState = fromSnapshot;
      result.bootstrappedFrom = head.seq;
    }
  }
  const keys = await sync.store.list(LOG_PREFIX, batchKey(head.seq));
  let pulledBatches = 0;
  /** What stopped the reading (a damaged or missing batch, the store gone): reported once the batches before it are applied. */
  let stopped: unknown;
  for (const key of keys) {
    const seq = batchSeqOf(key);
    if (seq === undefined) continue;
    try {
      if (seq !== head.seq + 1) {
        throw new RegistryError('CORRUPT', `The shared log in ${sync.store.description} has ${key} but no ${batchKey(head.seq + 1)}: a batch is missing. Nothing after batch ${head.seq} was applied.`);
      }
      const bytes = await sync.store.get(key);
      if (!bytes) throw new RegistryError('IO', `${key} vanished from ${sync.store.description} while it was being read; try again.`);
      result.bytesDown += bytes.length;
      const decoded = decodeBatch(bytes, head, sync.store.description);
      const refused = logState.admitBatch(decoded.events, policy);
      if (refused) {
        // The events before the refused one are in logState already: it no longer matches any head.
        logStateMatches = false;
        throw invalidBatchError(seq, sync.store.description, refused.event, refused.problem);
      }
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
    if (event.type === 'version.registered') sync.registry.blobs.putBytes(manifestBytes(event.payload.manifest));
  }
  let report: RebaseReport | undefined;
  const ends = await sync.registry.replaceLogTail(state.confirmed, (tail) => {
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
  sync.state.write(next);
  if (logStateMatches) sync.logState.save(head, logState);
  else sync.logState.forget();
  if (stopped) throw stopped;
  return next;
}
