import { randomUUID } from 'node:crypto';
import { RegistryError } from '../../core/registryError';
import type { SharedStore } from './sharedStore';

/**
 * The identity object of a shared store, `store.json`, written once (create-only) when the store is
 * created and never changed. Clients remember the id, so a location that lost its store (a share
 * not mounted leaves an empty mount point; a bucket prefix typed wrong is empty) or holds another
 * store is recognised before anything is written there.
 */
export const STORE_IDENTITY_KEY = 'store.json';

/** Version of the store layout; a newer one is refused, not misread. */
export const STORE_FORMAT = 1;

export interface StoreIdentity {
  kind: 'model-registry-store';
  id: string;
  format: number;
  created: string;
}

export function newStoreIdentity(now: Date = new Date()): StoreIdentity {
  return { kind: 'model-registry-store', id: randomUUID(), format: STORE_FORMAT, created: now.toISOString() };
}

/** The store's identity, or undefined where there is none; throws when the object is not one. */
export async function readStoreIdentity(store: SharedStore): Promise<StoreIdentity | undefined> {
  const bytes = await store.get(STORE_IDENTITY_KEY);
  return bytes === undefined ? undefined : parseStoreIdentity(bytes, store.description);
}

export function parseStoreIdentity(bytes: Buffer, where: string): StoreIdentity {
  let value: Partial<StoreIdentity> | undefined;
  try {
    value = JSON.parse(bytes.toString('utf8')) as Partial<StoreIdentity>;
  } catch {
    // reported below
  }
  if (!value || value.kind !== 'model-registry-store' || typeof value.id !== 'string' || !value.id || typeof value.format !== 'number' || typeof value.created !== 'string') {
    throw new RegistryError('CORRUPT', `${STORE_IDENTITY_KEY} in ${where} is not a Model Registry store identity. Nothing was written there; check that the store URI names a Model Registry store.`);
  }
  if (value.format > STORE_FORMAT) {
    throw new RegistryError('NEWER_FORMAT', `The shared store ${where} was created by a newer Model Registry (store format ${value.format}). Upgrade mreg and the extension.`);
  }
  return value as StoreIdentity;
}

/**
 * Creates the identity of a new store, or returns the one a concurrent creator wrote first: of
 * several clients creating one store at once, exactly one identity wins and all adopt it.
 */
export async function createStoreIdentity(store: SharedStore): Promise<{ identity: StoreIdentity; created: boolean }> {
  const identity = newStoreIdentity();
  if ((await store.createOnly(STORE_IDENTITY_KEY, Buffer.from(`${JSON.stringify(identity, null, 2)}\n`))) === 'created') return { identity, created: true };
  const existing = await readStoreIdentity(store);
  if (!existing) throw new RegistryError('IO', `${STORE_IDENTITY_KEY} in ${store.description} was there a moment ago and is gone now; try again.`);
  return { identity: existing, created: false };
}
