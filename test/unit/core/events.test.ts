import assert from 'node:assert/strict';
import { checkEventLink, EVENT_FORMAT_VERSION, GENESIS_HASH, hashEvent, sealEvents, type EventDraft, type RegistryEvent } from '../../../src/core/events';
import { RegistryError, type RegistryErrorCode } from '../../../src/core/registryError';

const drafts: EventDraft[] = [
  { type: 'model.created', model: 'fraud', payload: { description: 'Card fraud', tags: { team: 'risk' } } },
  { type: 'version.stage_changed', model: 'fraud', version: 1, payload: { from: 'None', to: 'Production' }, reason: 'better AUC' },
  { type: 'version.alias_set', model: 'fraud', version: 1, payload: { alias: 'champion' } },
];
const now = new Date('2025-03-04T05:06:07.089Z');

function sealed(after = { seq: 0, hash: GENESIS_HASH }): RegistryEvent[] {
  return sealEvents(drafts, after, 'alice@example.com', now);
}

/** Checks each event against the one before it, as opening the op log does. */
function checkChain(events: readonly RegistryEvent[], after = { seq: 0, hash: GENESIS_HASH }): void {
  let previous = after;
  for (const event of events) {
    checkEventLink(event, previous);
    previous = { seq: event.seq, hash: event.hash };
  }
}

function withoutHash(event: RegistryEvent): Omit<RegistryEvent, 'hash'> {
  const { hash: _hash, ...rest } = event;
  return rest;
}

function assertRefused(check: () => void, code: RegistryErrorCode, why: RegExp): void {
  assert.throws(check, (error: unknown) => {
    assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, why);
    return true;
  });
}

describe('sealEvents', () => {
  it('numbers events on from the one they follow', () => {
    assert.deepEqual(sealed().map((event) => event.seq), [1, 2, 3]);
    assert.deepEqual(sealed({ seq: 41, hash: 'f'.repeat(64) }).map((event) => event.seq), [42, 43, 44]);
  });

  it('links the first event to the given hash and each next one to the hash before it', () => {
    const after = { seq: 41, hash: 'f'.repeat(64) };
    const events = sealed(after);
    assert.equal(events[0].prev, after.hash);
    assert.equal(events[1].prev, events[0].hash);
    assert.equal(events[2].prev, events[1].hash);
  });

  it('gives each event the hash of its own content', () => {
    for (const event of sealed()) {
      assert.match(event.hash, /^[0-9a-f]{64}$/);
      assert.equal(event.hash, hashEvent(withoutHash(event)));
    }
  });

  it('stamps format version, actor, time and a unique id, and keeps the draft as given', () => {
    const events = sealed();
    for (const [index, event] of events.entries()) {
      assert.equal(event.v, EVENT_FORMAT_VERSION);
      assert.equal(event.actor, 'alice@example.com');
      assert.equal(event.time, '2025-03-04T05:06:07.089Z');
      assert.match(event.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.deepEqual({ type: event.type, model: event.model, version: event.version, payload: event.payload, reason: event.reason }, { version: undefined, reason: undefined, ...drafts[index] });
    }
    assert.equal(new Set(events.map((event) => event.id)).size, events.length);
  });

  it('seals nothing from no drafts', () => {
    assert.deepEqual(sealEvents([], { seq: 7, hash: GENESIS_HASH }, 'alice'), []);
  });
});

describe('checkEventLink', () => {
  it('accepts a sealed chain, also after a trip through JSON as the op log stores it', () => {
    assert.doesNotThrow(() => checkChain(sealed()));
    assert.doesNotThrow(() => checkChain(JSON.parse(JSON.stringify(sealed()))));
    const after = { seq: 41, hash: 'f'.repeat(64) };
    assert.doesNotThrow(() => checkChain(sealed(after), after));
  });

  it("refuses an event whose payload was changed: it no longer matches its own hash", () => {
    const events = sealed();
    (events[1].payload as { to: string }).to = 'Archived';
    checkEventLink(events[0], { seq: 0, hash: GENESIS_HASH });
    assertRefused(() => checkEventLink(events[1], { seq: 1, hash: events[0].hash }), 'CORRUPT', /Event #2 does not match its own hash/);
  });

  it('refuses an edited actor or reason the same way', () => {
    for (const edit of [(event: RegistryEvent) => (event.actor = 'mallory'), (event: RegistryEvent) => (event.reason = 'no reason')]) {
      const events = sealed();
      edit(events[1]);
      assertRefused(() => checkEventLink(events[1], { seq: 1, hash: events[0].hash }), 'CORRUPT', /own hash/);
    }
  });

  it('refuses an event that links to another previous hash', () => {
    const events = sealed();
    assertRefused(() => checkEventLink(events[1], { seq: 1, hash: 'e'.repeat(64) }), 'CORRUPT', /Event #2 does not link to event #1/);
  });

  it('notices an edited event even when its hash was recomputed, at the next link', () => {
    const events = sealed();
    (events[0].payload as { description: string }).description = 'rewritten';
    events[0].hash = hashEvent(withoutHash(events[0]));
    checkEventLink(events[0], { seq: 0, hash: GENESIS_HASH });
    assertRefused(() => checkEventLink(events[1], { seq: 1, hash: events[0].hash }), 'CORRUPT', /does not link/);
  });

  it('refuses a skipped sequence number', () => {
    const events = sealed();
    assertRefused(() => checkChain([events[0], events[2]]), 'CORRUPT', /Event #3 follows event #1: events are missing or out of order/);
  });

  it('refuses an event repeated or out of order', () => {
    const events = sealed();
    assertRefused(() => checkChain([events[0], events[0]]), 'CORRUPT', /missing or out of order/);
    assertRefused(() => checkChain([events[1], events[0]]), 'CORRUPT', /missing or out of order/);
  });

  it('refuses an event written in a newer format with NEWER_FORMAT, asking for an upgrade', () => {
    const [first] = sealed();
    const unsealed = { ...withoutHash(first), v: EVENT_FORMAT_VERSION + 1 };
    const newer = { ...unsealed, hash: hashEvent(unsealed) } as RegistryEvent;
    assertRefused(() => checkEventLink(newer, { seq: 0, hash: GENESIS_HASH }), 'NEWER_FORMAT', /event format 2.*Upgrade/);
  });

  it('refuses what is not an event', () => {
    for (const value of [null, 'text', { type: 'model.created' }]) {
      assertRefused(() => checkEventLink(value as unknown as RegistryEvent, { seq: 4, hash: GENESIS_HASH }), 'CORRUPT', /after #4 is not an event object/);
    }
  });
});
