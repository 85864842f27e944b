import { ulid } from 'ulid';
import { canonicalJson } from './canonicalJson';
import type { Manifest } from './manifest';
import { RegistryError } from './registryError';
import { sha256Hex } from './sha256';
import type { Stage } from './stage';

/**
 * Every mutation of the registry is an event. Events are appended to the op log, replayed into the
 * database, and form the audit log: each carries the hash of the one before it, so editing or
 * dropping an event breaks the chain.
 */
export const EVENT_FORMAT_VERSION = 1;
export const GENESIS_HASH = '0'.repeat(64);

export interface EventPayloads {
  'model.created': { description?: string; tags?: Record<string, string> };
  'model.updated': { description?: string | null; tags?: Record<string, string | null> };
  'version.registered': {
    id: string;
    semver?: string;
    stage: Stage;
    description?: string;
    tags: Record<string, string>;
    fingerprint: string;
    /** The whole manifest travels with the event, so the log alone rebuilds the registry. */
    manifest: Manifest;
  };
  'version.stage_changed': {
    from: Stage;
    to: Stage;
    supersededBy?: number;
    rollback?: true;
    /** What the policy's gates said, when any rule guarded the move; `overridden` when a person bypassed failing rules. */
    gates?: { passed: boolean; overridden?: true; results: { kind: string; rule: string; passed: boolean; detail: string }[]; approvalRequests: string[] };
  };
  /** Someone asks for a version to be moved into a stage; reviewers approve or reject it by id. */
  'approval.requested': { id: string; stage: Stage };
  'approval.approved': { id: string };
  'approval.rejected': { id: string };
  'version.alias_set': { alias: string; previous?: number };
  'version.alias_removed': { alias: string };
  'version.updated': { description?: string | null; tags?: Record<string, string | null> };
  /**
   * Retention (`rule` says which) or a person (`rule` is MANUAL_DELETION, the event's reason says why)
   * removed the version; the event is its tombstone (the number is never given again).
   */
  'version.deleted': { rule: string; fingerprint: string };
  /** A person removed the model, after a tombstone for each of its versions; its name and history stay. */
  'model.deleted': Record<string, never>;
  /**
   * `mreg repair` rebuilt the op log after damage (its model is ''): what it kept, what it put back
   * and what is gone, so the audit log says it for everyone who pulls it.
   */
  'registry.repaired': { keptAs: string; intactUpTo: number; unreadableBytes: number; rechained: number; restored: string[]; lost: string[] };
}

export type EventType = keyof EventPayloads;

/** The `rule` of a version.deleted event that a person asked for (mreg delete), rather than retention. */
export const MANUAL_DELETION = 'manual';

export type EventDraft = {
  [T in EventType]: { type: T; model: string; version?: number; payload: EventPayloads[T]; reason?: string };
}[EventType];

export type RegistryEvent = EventDraft & {
  v: number;
  seq: number;
  id: string;
  time: string;
  actor: string;
  prev: string;
  hash: string;
};

export function hashEvent(event: Omit<RegistryEvent, 'hash'>): string {
  return sha256Hex(canonicalJson(event));
}

/** Gives drafts their place in the chain: sequence numbers, ids, time, actor and hashes. */
export function sealEvents(
  drafts: readonly EventDraft[],
  after: { seq: number; hash: string },
  actor: string,
  now: Date = new Date(),
): RegistryEvent[] {
  let { seq, hash } = after;
  const time = now.toISOString();
  return drafts.map((draft) => {
    seq += 1;
    const unsealed = { ...draft, v: EVENT_FORMAT_VERSION, seq, id: ulid(now.getTime()), time, actor, prev: hash } as Omit<RegistryEvent, 'hash'>;
    hash = hashEvent(unsealed);
    return { ...unsealed, hash } as RegistryEvent;
  });
}

/** Checks that `event` follows `after` and that its hash is its own; throws CORRUPT naming the event. */
export function checkEventLink(event: RegistryEvent, after: { seq: number; hash: string }): void {
  if (typeof event !== 'object' || event === null || typeof event.seq !== 'number') {
    throw new RegistryError('CORRUPT', `An event after #${after.seq} is not an event object.`);
  }
  if (event.v > EVENT_FORMAT_VERSION) {
    throw new RegistryError(
      'NEWER_FORMAT',
      `Event #${event.seq} was written by a newer Model Registry (event format ${event.v}; this one reads up to ${EVENT_FORMAT_VERSION}). Upgrade mreg and the extension.`,
    );
  }
  if (event.seq !== after.seq + 1) {
    throw new RegistryError('CORRUPT', `Event #${event.seq} follows event #${after.seq}: events are missing or out of order.`);
  }
  if (event.prev !== after.hash) {
    throw new RegistryError('CORRUPT', `Event #${event.seq} does not link to event #${after.seq} (its previous-hash differs): the log was edited.`);
  }
  const { hash, ...unsealed } = event;
  if (hashEvent(unsealed) !== hash) {
    throw new RegistryError('CORRUPT', `Event #${event.seq} does not match its own hash: it was edited after it was written.`);
  }
}

/** Checks that `events` continue the chain after `after`, one link at a time; returns the last link. */
export function checkEventChain(events: readonly RegistryEvent[], after: { seq: number; hash: string }): { seq: number; hash: string } {
  let link = { seq: after.seq, hash: after.hash };
  for (const event of events) {
    checkEventLink(event, link);
    link = { seq: event.seq, hash: event.hash };
  }
  return link;
}
