import { RegistryError } from '../core/registryError';
import type { SharedStore } from '../store/shared/sharedStore';
import { createStoreIdentity, readStoreIdentity, STORE_IDENTITY_KEY, type StoreIdentity } from '../store/shared/storeIdentity';
import type { SyncContext } from './syncContext';
import type { SyncStateRecord } from './syncState';

/** Keys a client writes before a store has an identity (the create-only probe): not signs of a store. */
const PROBE_PREFIX = 'probes/';

/** What a location holds, as far as its identity goes. */
export type StoreStanding =
  | { kind: 'store'; identity: StoreIdentity }
  /** Nothing there: a new location, or one that lost its store (a share not mounted, a wrong prefix). */
  | { kind: 'empty' }
  /** A store from before identities: batches or blobs, no `store.json`. */
  | { kind: 'unnamed' }
  | { kind: 'foreign'; keys: string[] };

export async function standingOf(store: SharedStore): Promise<StoreStanding> {
  const identity = await readStoreIdentity(store);
  if (identity) return { kind: 'store', identity };
  const keys = (await store.list('')).filter((key) => !key.startsWith(PROBE_PREFIX));
  if (keys.includes(STORE_IDENTITY_KEY)) {
    // Created since it was looked for (another client creating the store at the same moment).
    const created = await readStoreIdentity(store);
    if (created) return { kind: 'store', identity: created };
  }
  if (keys.length === 0) return { kind: 'empty' };
  if (keys.some((key) => key.startsWith('log/') || key.startsWith('blobs/'))) return { kind: 'unnamed' };
  return { kind: 'foreign', keys: keys.slice(0, 3) };
}

/**
 * Before anything is read into or written to a store: is it the one this registry syncs with?
 * A client that has synced with a store remembers its id (sync/state.json); a location that is
 * missing or empty, or carries another id, is refused — never written to, never reported as synced.
 * A client that has never synced creates the store in an empty location (one writer wins; the
 * result says so) or adopts the identity it finds.
 */
export async function confirmStoreIdentity(sync: SyncContext, state: SyncStateRecord): Promise<{ state: SyncStateRecord; created?: StoreIdentity }> {
  const standing = await standingOf(sync.store);
  const problem = identityProblem(sync.store, state, standing);
  if (problem) throw problem;
  let identity: StoreIdentity;
  let created: StoreIdentity | undefined;
  if (standing.kind === 'store') {
    identity = standing.identity;
  } else {
    // An empty location for a client that never synced, or a store from before identities: name it once.
    const made = await createStoreIdentity(sync.store);
    identity = made.identity;
    if (made.created && standing.kind === 'empty') created = identity;
  }
  if (state.storeId === identity.id) return { state };
  const next = { ...state, storeId: identity.id };
  sync.state.write(next);
  return { state: next, created };
}

/** Why a store may not be synced with, or undefined when it may (see confirmStoreIdentity). */
export function identityProblem(store: SharedStore, state: SyncStateRecord, standing: StoreStanding): RegistryError | undefined {
  const known = state.storeId;
  const seen = known !== undefined || state.remote.seq > 0;
  const where = store.description;
  switch (standing.kind) {
    case 'store':
      if (known === undefined || known === standing.identity.id) return undefined;
      return new RegistryError(
        'WRONG_STORE',
        `${where} holds another shared store (id ${standing.identity.id}, created ${standing.identity.created}) than the one this registry syncs with (id ${known}). Nothing was read or written. Check the store URI ('mreg store show') and what is mounted there; to join that store instead, set it again with 'mreg store set URI' after moving sync/state.json aside.`,
      );
    case 'empty':
      if (!seen) return undefined;
      return new RegistryError(
        'STORE_UNREACHABLE',
        `The shared store ${where} is missing or empty, though this registry synced with it (${known ? `id ${known}, ` : ''}${state.remote.seq} batch(es)). A share that is not mounted leaves an empty folder, and a mistyped prefix is empty too. Nothing was written there and nothing counts as synced; mount the share or fix the URI, then sync again.`,
      );
    case 'unnamed':
      if (known === undefined) return undefined;
      return new RegistryError(
        'WRONG_STORE',
        `${where} holds a store without an identity (${STORE_IDENTITY_KEY}), while this registry syncs with store id ${known}. Nothing was read or written. Check the store URI and what is mounted there.`,
      );
    case 'foreign':
      return new RegistryError(
        'WRONG_STORE',
        `${where} holds objects that are not a Model Registry store (${standing.keys.join(', ')} …). Nothing was written there. Use an empty folder or bucket prefix for a new store.`,
      );
  }
}
