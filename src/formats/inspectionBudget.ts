import { AsyncLocalStorage } from 'node:async_hooks';
import type { SecurityFinding } from './inspection';

/**
 * What one artifact's inspection may spend. Weight files are untrusted: a few kilobytes can declare
 * millions of entries, nest without end or decompress to gigabytes, so every inspector works under
 * these limits. Real files stay far below them (the largest real headers seen hold a few thousand
 * tensors); a hostile file meets one, and its inspection records an `inspection.limit` finding
 * instead of crashing, hanging or taking the machine's memory.
 */
export interface InspectionLimits {
  /** Bytes read from the file or decompressed from an archive member (skipped bytes cost nothing). */
  readBytes: number;
  /** Objects decoded and kept or walked: JSON values, metadata keys, tensors, graph nodes, archive members. */
  entries: number;
  /** Nesting depth of JSON, protobuf messages and ONNX subgraphs. */
  depth: number;
  /** Wall-clock time for one file. */
  milliseconds: number;
  /** The size of what is recorded in the manifest for one artifact, as JSON. */
  recordedBytes: number;
}

export const DEFAULT_LIMITS: Readonly<InspectionLimits> = {
  readBytes: 256 * 1024 * 1024,
  entries: 1_000_000,
  depth: 64,
  milliseconds: 10_000,
  recordedBytes: 64 * 1024,
};

const LIMIT_NAMES: Record<keyof InspectionLimits, string> = {
  readBytes: 'bytes read',
  entries: 'entries decoded',
  depth: 'nesting depth',
  milliseconds: 'milliseconds of inspection',
  recordedBytes: 'bytes recorded',
};

/** Thrown when an inspection spends one of its limits; `inspectArtifact` turns it into a finding. */
export class LimitReached extends Error {
  constructor(
    readonly limit: keyof InspectionLimits,
    readonly value: number,
    what: string,
  ) {
    super(`${what} reached the limit of ${value.toLocaleString('en-US')} ${LIMIT_NAMES[limit]}`);
  }
}

/** The finding that records a limit reached; `message` says which and what it means for the file. */
export function limitFinding(limit: keyof InspectionLimits, message: string): SecurityFinding {
  return { severity: 'medium', code: 'inspection.limit', message, where: `limit ${limit}` };
}

/** The finding for an inspection stopped by a limit: nothing past that point was looked at. */
export function stoppedAt(limit: LimitReached): SecurityFinding {
  return limitFinding(limit.limit, `${limit.message}: inspection stopped there, so the file was not fully read or checked`);
}

/** One inspection's spending against its limits. */
export class InspectionBudget {
  readonly limits: InspectionLimits;
  private bytesRead = 0;
  private entriesDecoded = 0;
  private readonly deadline: number;

  constructor(limits: Partial<InspectionLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.deadline = Date.now() + this.limits.milliseconds;
  }

  /** Counts bytes read and checks the clock: reads are where every inspector spends its time. */
  read(bytes: number, what = 'reading the file'): void {
    this.bytesRead += bytes;
    if (this.bytesRead > this.limits.readBytes) throw new LimitReached('readBytes', this.limits.readBytes, what);
    this.checkTime(what);
  }

  entries(count: number, what: string): void {
    this.entriesDecoded += count;
    if (this.entriesDecoded > this.limits.entries) throw new LimitReached('entries', this.limits.entries, what);
  }

  depth(depth: number, what: string): void {
    if (depth > this.limits.depth) throw new LimitReached('depth', this.limits.depth, what);
  }

  checkTime(what: string): void {
    if (Date.now() > this.deadline) throw new LimitReached('milliseconds', this.limits.milliseconds, what);
  }
}

/**
 * The budget of the inspection running now. Readers and archives an inspector opens take it from
 * here, so every file handle, zip member and parser of one artifact spends the same budget without
 * each format's code passing it along.
 */
const running = new AsyncLocalStorage<InspectionBudget>();

export function withBudget<T>(budget: InspectionBudget, inspect: () => Promise<T>): Promise<T> {
  return running.run(budget, inspect);
}

/** The running inspection's budget; code called outside one (a test of a parser alone) gets fresh default limits. */
export function currentBudget(): InspectionBudget {
  return running.getStore() ?? new InspectionBudget();
}
