import type { Command } from 'commander';
import type { Registry } from '../../registry/registry';
import type { ResolvedVersion } from '../../core/modelVersion';
import { RegistryError } from '../../core/registryError';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseStoreUri, readStoreUri, writeStoreUri } from '../../store/shared/storeConfig';
import { createStoreIdentity, type StoreIdentity } from '../../store/shared/storeIdentity';
import { identityProblem, standingOf } from '../../sync/storeIdentityCheck';
import { SyncStateFile } from '../../sync/syncState';
import { sortOutAbsentBlobs, type VerifyReport } from '../../sync/unfetchedBlobs';
import type { IntegrityReport } from '../../registry/integrityCheck';
import { rebaseText, statusText, storeVerifyText, syncText } from '../../sync/syncReports';
import { artifactsNotHeld, openSyncService, type SyncService } from '../../sync/syncService';
import { progressBar } from '../progressBar';
import type { CliContext } from '../cliContext';

/** `mreg store`, `mreg sync` and `mreg status`: the registry's shared store. */
export function addSyncCommands(program: Command, context: CliContext): void {
  const { withRegistry, emit } = context;

  const store = program.command('store').description('the shared store this registry syncs with');
  store
    .command('set')
    .description('sync with a shared store: a folder, file:///path or s3://bucket/prefix?endpoint=…&region=…&forcePathStyle=true&profile=…')
    .argument('<uri>')
    .action(async (uri: string, _flags, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const stored = setStore(registry, uri);
        emit(options, { registry: registry.folder.root, store: stored }, `This registry now syncs with ${stored}. Run 'mreg sync'.`);
      }),
    );
  store
    .command('init')
    .description('create a shared store in an empty folder or bucket prefix (its identity object, store.json) and sync this registry with it')
    .argument('<uri>')
    .action(async (uri: string, _flags, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const { identity, created, uri: stored } = await initStore(registry, uri);
        emit(
          options,
          { registry: registry.folder.root, store: stored, id: identity.id, created },
          created ? `Created the shared store ${stored} (id ${identity.id}); this registry syncs with it. Run 'mreg sync'.` : `${stored} already is a shared store (id ${identity.id}, created ${identity.created}); this registry now syncs with it. Run 'mreg sync'.`,
        );
      }),
    );
  store
    .command('show')
    .description('the shared store this registry syncs with')
    .action(async (_flags, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const uri = readStoreUri(registry.folder);
        emit(options, { store: uri ?? null }, uri ?? 'No shared store is set; this registry is local only.');
      }),
    );

  program
    .command('sync')
    .description('pull what others pushed to the shared store, then push the changes made here')
    .action(async (_flags, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const service = await requireService(registry);
        const bar = progressBar('uploading');
        try {
          const result = await service.sync({ signal: context.signal, onProgress: (done, total, item) => bar.update(done, total, item) });
          bar.stop();
          emit(options, result, syncText(result));
          if (options.json) for (const line of rebaseText(result.rebase)) process.stderr.write(`mreg: ${line}\n`);
        } finally {
          bar.stop();
          service.store.close();
        }
      }),
    );

  program
    .command('status')
    .description('sync state: pending changes, last sync, whether the store is reachable')
    .action(async (_flags, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const service = await openSyncService(registry);
        if (!service) {
          const status = { state: 'local', pendingOps: 0, pendingVersions: [], remoteSeq: 0 } as const;
          emit(options, status, statusText({ ...status, pendingVersions: [], unfinishedUploads: [] }));
          return;
        }
        try {
          const probe = await service.probe();
          const status = { ...service.status(), reachable: probe.reachable, ...(probe.reachable ? {} : { problem: probe.message }) };
          if (!probe.reachable) status.state = probe.state;
          emit(options, status, statusText(status));
        } finally {
          service.store.close();
        }
      }),
    );
}

/** `mreg init --store URI` and `mreg store set URI`. */
export function setStore(registry: Registry, uri: string): string {
  const parsed = parseStoreUri(uri);
  writeStoreUri(registry.folder, parsed.uri);
  return parsed.uri;
}

/**
 * `mreg store init URI`: makes the location a store (a new folder is created when its parent
 * exists), then sets it as this registry's store and remembers its id. A location holding
 * anything else than a store is refused.
 */
async function initStore(registry: Registry, uri: string): Promise<{ identity: StoreIdentity; created: boolean; uri: string }> {
  const parsed = parseStoreUri(uri);
  if (!parsed.uri.includes('://') && !existsSync(parsed.uri)) {
    if (!existsSync(path.dirname(parsed.uri))) throw new RegistryError('NOT_FOUND', `Cannot create the store ${parsed.uri}: ${path.dirname(parsed.uri)} does not exist (a share not mounted?).`);
    mkdirSync(parsed.uri);
  }
  const state = new SyncStateFile(registry.folder);
  const current = state.read(parsed.uri);
  const store = await parsed.open();
  try {
    await store.assertReachable();
    const standing = await standingOf(store);
    if (standing.kind === 'foreign') throw identityProblem(store, current, standing)!;
    const made = standing.kind === 'store' ? { identity: standing.identity, created: false } : await createStoreIdentity(store);
    if (current.storeId !== undefined && current.storeId !== made.identity.id) {
      throw new RegistryError('WRONG_STORE', `This registry synced with store id ${current.storeId} at ${parsed.uri}, which now holds store id ${made.identity.id}. Move ${state.file} aside to join that store.`);
    }
    writeStoreUri(registry.folder, parsed.uri);
    state.write({ ...current, storeId: made.identity.id });
    return { ...made, uri: parsed.uri };
  } finally {
    store.close();
  }
}

/** `mreg verify --store [--sample N]`: the shared log's chain and its blobs. */
export async function verifyStore(registry: Registry, options: { sample?: number; signal: AbortSignal }): Promise<{ report: Awaited<ReturnType<SyncService['verifyStore']>>; text: string }> {
  const service = await requireService(registry);
  try {
    const report = await service.verifyStore({ sample: options.sample, signal: options.signal });
    return { report, text: storeVerifyText(report) };
  } finally {
    service.store.close();
  }
}

/**
 * `mreg verify` with a shared store: blobs absent here that the store holds are not fetched yet
 * (or, with `--fetch`, downloaded and checked), not missing. Without a store, the local report.
 */
export async function withStoreBlobs(registry: Registry, report: IntegrityReport, options: { fetch: boolean; signal: AbortSignal }): Promise<IntegrityReport | VerifyReport> {
  const service = await openSyncService(registry);
  if (!service) return report;
  const bar = progressBar('fetching');
  try {
    return await sortOutAbsentBlobs(service, report, { fetch: options.fetch, signal: options.signal, onProgress: (done, total, item) => bar.update(done, total, item) });
  } finally {
    bar.stop();
    service.store.close();
  }
}

/** Artifacts of versions pulled from the shared store are fetched on first use (pull, resolve), verified by sha256. */
export async function fetchMissingArtifacts(registry: Registry, resolved: ResolvedVersion, signal: AbortSignal): Promise<void> {
  // Most resolves find every blob here: they need not load a store client (the AWS SDK for S3).
  if (artifactsNotHeld(resolved).length === 0) return;
  const service = await openSyncService(registry);
  if (!service) return;
  const bar = progressBar('fetching');
  try {
    await service.fetchArtifacts(resolved, { signal, onProgress: (done, total, item) => bar.update(done, total, item) });
  } finally {
    bar.stop();
    service.store.close();
  }
}

async function requireService(registry: Registry): Promise<SyncService> {
  const service = await openSyncService(registry);
  if (!service) throw new RegistryError('INVALID_INPUT', `No shared store is set for ${registry.folder.root}. Set one with 'mreg store set URI' (a folder or s3://bucket/prefix).`);
  return service;
}
