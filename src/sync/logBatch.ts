import { checkEventChain, GENESIS_HASH, type RegistryEvent } from '../core/events';
import { RegistryError } from '../core/registryError';
import { sha256Hex } from '../core/sha256';

/** Version of the batch format in the shared store; a newer one is refused, not misread. */
export const BATCH_FORMAT = 1;

/**
 * One immutable batch of the shared log, `log/<20-digit seq>.json`. It carries the sha256 of the
 * previous batch's bytes, and its events continue the event hash chain of the batches before it,
 * so a batch cut short, edited, removed or reordered is detected by the next reader.
 */
export interface LogBatch {
  format: number;
  seq: number;
  /** sha256 of the previous batch's bytes; zeros for the first. */
  prev: string;
  events: RegistryEvent[];
}

/** The head of the shared log as a client last saw it. */
export interface RemoteHead {
  seq: number;
  /** sha256 of batch `seq`'s bytes. */
  hash: string;
  /** The last event of that batch. */
  event: { seq: number; hash: string };
}

export const EMPTY_REMOTE: RemoteHead = { seq: 0, hash: GENESIS_HASH, event: { seq: 0, hash: GENESIS_HASH } };

export const LOG_PREFIX = 'log/';

export function batchKey(seq: number): string {
  return `${LOG_PREFIX}${String(seq).padStart(20, '0')}.json`;
}

export function batchSeqOf(key: string): number | undefined {
  const match = /^log\/(\d{20})\.json$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

export function encodeBatch(after: RemoteHead, events: RegistryEvent[]): { bytes: Buffer; head: RemoteHead } {
  const batch: LogBatch = { format: BATCH_FORMAT, seq: after.seq + 1, prev: after.hash, events };
  const bytes = Buffer.from(`${JSON.stringify(batch)}\n`, 'utf8');
  const last = events[events.length - 1];
  return { bytes, head: { seq: batch.seq, hash: sha256Hex(bytes), event: { seq: last.seq, hash: last.hash } } };
}

/**
 * Reads batch `after.seq + 1` and checks everything that links it to `after`: the batch hash chain
 * and the event chain. Throws CORRUPT naming the batch and what is wrong; nothing of a batch that
 * fails is ever applied.
 */
export function decodeBatch(bytes: Buffer, after: RemoteHead, where: string): { events: RegistryEvent[]; head: RemoteHead } {
  const seq = after.seq + 1;
  let batch: LogBatch;
  try {
    batch = JSON.parse(bytes.toString('utf8')) as LogBatch;
  } catch {
    throw corrupt(seq, where, `it is not complete JSON (${bytes.length} bytes): cut short or edited`);
  }
  if (typeof batch !== 'object' || batch === null || !Array.isArray(batch.events) || batch.events.length === 0) {
    throw corrupt(seq, where, 'it is not a batch of events');
  }
  if (typeof batch.format !== 'number' || batch.format > BATCH_FORMAT) {
    throw new RegistryError('NEWER_FORMAT', `Batch ${seq} in ${where} was written by a newer Model Registry (batch format ${String(batch.format)}). Upgrade mreg and the extension.`);
  }
  if (batch.seq !== seq) throw corrupt(seq, where, `it says it is batch ${String(batch.seq)}`);
  if (batch.prev !== after.hash) throw corrupt(seq, where, 'it does not link to the batch before it (previous-batch hash differs): the log was edited');
  let link = after.event;
  try {
    link = checkEventChain(batch.events, after.event);
  } catch (error) {
    if (error instanceof RegistryError && error.code === 'NEWER_FORMAT') throw error;
    // Whatever the bytes hold, a batch that does not chain is damaged, never an unexpected error.
    throw corrupt(seq, where, (error as Error).message);
  }
  return { events: batch.events, head: { seq, hash: sha256Hex(bytes), event: link } };
}

function corrupt(seq: number, where: string, what: string): RegistryError {
  return new RegistryError(
    'CORRUPT',
    `Batch ${seq} of the shared log in ${where} is damaged: ${what}. Nothing from it was applied. Restore ${batchKey(seq)} from a backup, or run 'mreg verify --store' for the whole chain.`,
  );
}

/**
 * A batch that chains correctly but whose event breaks the registry's rules (two Production
 * versions, a guarded promotion without gates, a malformed field …): handled like a damaged one.
 */
export function invalidBatchError(seq: number, where: string, event: unknown, problem: string): RegistryError {
  const { seq: eventSeq, type, model, version } = (typeof event === 'object' && event !== null ? event : {}) as Partial<RegistryEvent>;
  const what = `event #${String(eventSeq ?? '?')}${typeof type === 'string' ? ` (${type}${typeof model === 'string' ? ` of ${model}${version === undefined ? '' : `/${String(version)}`}` : ''})` : ''}`;
  return new RegistryError(
    'CORRUPT',
    `Batch ${seq} of the shared log in ${where} breaks the registry's rules: ${what}: ${problem}. It was not written by a Model Registry client that checks them (edited by hand, or forged): nothing from it or any later batch was applied; the batches before it were. Restore ${batchKey(seq)} from a backup, or remove it and the batches after it; 'mreg verify --store' lists it.`,
  );
}
