import assert from 'node:assert/strict';
import path from 'node:path';
import { MANUAL_DELETION, sealEvents, type EventDraft, type RegistryEvent } from '../../../src/core/events';
import { Registry } from '../../../src/index';
import { SharedLogState } from '../../../src/sync/sharedLogState';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

/** m/1 (Archived, was Production), m/2 (Production), m/3 (None), made by a real registry: its log is what a store would hold. */
async function sharedLog(): Promise<{ events: RegistryEvent[]; fingerprints: Record<number, string> }> {
  const project = tempFolder('log');
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'a@example.com' });
  try {
    for (const content of ['one', 'two', 'three']) {
      const file = path.join(writeFiles(project, { [`${content}.bin`]: content }), `${content}.bin`);
      await registry.register({ model: 'm', paths: [file], git: null });
    }
    await registry.promote('m/1', 'Production');
    await registry.promote('m/2', 'Production');
    const fingerprints = Object.fromEntries(registry.versions('m').map((version) => [version.number, version.fingerprint]));
    return { events: registry.logLinesAfter(0).flatMap((line) => line.events), fingerprints };
  } finally {
    await registry.close();
  }
}

/** Drafts sealed onto the log, as a forger with write access to the store would append them. */
function appended(events: RegistryEvent[], drafts: EventDraft[]): RegistryEvent[] {
  const last = events[events.length - 1]!;
  return sealEvents(drafts, { seq: last.seq, hash: last.hash }, 'forger@example.com');
}

function admitted(events: RegistryEvent[], extra: RegistryEvent[], policy = {}): string | undefined {
  const state = SharedLogState.empty();
  assert.equal(state.admitBatch(events, {}), undefined, 'the real log is admitted');
  return state.admitBatch(extra, policy)?.problem;
}

const tombstone = (number: number, fingerprint: string): EventDraft => ({ type: 'version.deleted', model: 'm', version: number, payload: { rule: MANUAL_DELETION, fingerprint }, reason: 'x' });

describe('pulled deletions keep the rules a local delete keeps', () => {
  it('refuses a tombstone of the Production version', async () => {
    const { events, fingerprints } = await sharedLog();
    assert.match(admitted(events, appended(events, [tombstone(2, fingerprints[2]!)]))!, /m\/2 is in Production: a version that serves is never deleted/);
  });

  it('refuses a tombstone of a version that was in Production only where the policy keeps such versions', async () => {
    const { events, fingerprints } = await sharedLog();
    const extra = appended(events, [tombstone(1, fingerprints[1]!)]);
    assert.equal(admitted(events, extra), undefined);
    assert.match(admitted(events, extra, { deletion: { forbidIfEverInProduction: true } })!, /m\/1 was in Production once/);
  });

  it('refuses a model deletion while versions remain, and any event about a deleted model', async () => {
    const { events, fingerprints } = await sharedLog();
    const early = appended(events, [{ type: 'model.deleted', model: 'm', payload: {} }]);
    assert.match(admitted(events, early)!, /it deletes model 'm' while m\/1, m\/2, m\/3 still exist/);
    const archive: EventDraft = { type: 'version.stage_changed', model: 'm', version: 2, payload: { from: 'Production', to: 'Archived' } };
    const complete = appended(events, [archive, tombstone(1, fingerprints[1]!), tombstone(2, fingerprints[2]!), tombstone(3, fingerprints[3]!), { type: 'model.deleted', model: 'm', payload: {} }]);
    assert.equal(admitted(events, complete), undefined);
    const after = appended(complete, [{ type: 'model.updated', model: 'm', payload: { description: 'back' } }]);
    assert.match(admitted(events, [...complete, ...after])!, /it names model 'm', which an earlier event deleted/);
  });

  it('refuses a model.deleted event that names a version', async () => {
    const { events } = await sharedLog();
    const forged = appended(events, [{ type: 'model.deleted', model: 'm', payload: {} }]).map((event) => ({ ...event, version: 1 }));
    assert.match(admitted(events, forged)!, /a model\.deleted event names no version/);
  });
});
