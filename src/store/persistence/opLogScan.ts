import { checkEventChain, GENESIS_HASH, type RegistryEvent } from '../../core/events';
import { isRegistryError } from '../../core/registryError';
import { OpLog, type RawOpLogLine } from './opLog';

/** Where an op log stops being trustworthy, and why. */
export type OpLogDamage =
  /** The last line has no newline: a write cut short (a crash), or one being written right now. */
  | { kind: 'torn-tail'; offset: number; length: number }
  /** A complete line that is not a batch of events (garbled bytes, a bad copy, an editor's save). */
  | { kind: 'garbled'; offset: number; length: number }
  /** A batch that does not continue the hash chain (events missing before it, or edited). */
  | { kind: 'broken-chain'; offset: number; length: number; detail: string };

/** A readable batch found after the damage: its events could still be re-chained by a repair. */
export interface SalvageableBatch {
  events: RegistryEvent[];
  start: number;
  end: number;
}

export interface OpLogScan {
  /** Byte just past the last line of the intact prefix (complete, parsed, chained from the start). */
  intactEnd: number;
  /** The last event of the intact prefix. */
  intactHead: { seq: number; hash: string };
  size: number;
  /** The first thing wrong after the intact prefix; undefined for a healthy log. */
  damage?: OpLogDamage;
  /** Lines after the damage that still hold batches, in order. */
  salvageable: SalvageableBatch[];
  /** Bytes after the damage that hold no batch (the first damaged line included). */
  unreadableBytes: number;
}

/**
 * Reads the whole log past any damage: the intact prefix (what can be trusted as is), the first
 * damage and what follows it. Replay uses the prefix; repair also uses the salvageable batches.
 * Reads in bounded chunks and keeps only the batches after the damage in memory.
 */
export function scanOpLog(log: OpLog, from: { offset: number; seq: number; hash: string } = { offset: 0, seq: 0, hash: GENESIS_HASH }): OpLogScan {
  let head = { seq: from.seq, hash: from.hash };
  let intactEnd = from.offset;
  let damage: OpLogDamage | undefined;
  const salvageable: SalvageableBatch[] = [];
  let unreadableBytes = 0;
  let size = from.offset;
  for (const line of log.rawLinesAfter(from.offset)) {
    size = line.end;
    if (damage) {
      const events = line.complete ? OpLog.parse(line) : undefined;
      if (events) salvageable.push({ events, start: line.start, end: line.end });
      else unreadableBytes += line.end - line.start;
      continue;
    }
    const found = damageIn(line, head);
    if (typeof found === 'object' && 'kind' in found) {
      damage = found;
      if (found.kind === 'broken-chain') salvageable.push({ events: OpLog.parse(line)!, start: line.start, end: line.end });
      else unreadableBytes += found.length;
      continue;
    }
    head = found;
    intactEnd = line.end;
  }
  return { intactEnd, intactHead: head, size, damage, salvageable, unreadableBytes };
}

/** The line's damage, or the chain link it ends with when it is sound. */
function damageIn(line: RawOpLogLine, head: { seq: number; hash: string }): OpLogDamage | { seq: number; hash: string } {
  const length = line.end - line.start;
  if (!line.complete) return { kind: 'torn-tail', offset: line.start, length };
  const events = OpLog.parse(line);
  if (!events) return { kind: 'garbled', offset: line.start, length };
  try {
    return checkEventChain(events, head);
  } catch (error) {
    if (!isRegistryError(error, 'CORRUPT')) throw error;
    return { kind: 'broken-chain', offset: line.start, length, detail: error.message };
  }
}
