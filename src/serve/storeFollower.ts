import { RegistryError } from '../core/registryError';
import type { Registry } from '../registry/registry';
import { openSyncService } from '../sync/syncService';

export interface StoreFollower {
  stop(): Promise<void>;
}

/**
 * Keeps a long-running server's registry in step with its shared store: every `everyMs`, the same
 * sync `mreg sync` runs (pull, rebase, push), or only the pull for a read-only server, which must
 * never publish. A round that fails (the store offline) is reported and the server goes on serving
 * what it has; the next round tries again. Rounds never overlap.
 */
export async function followStore(registry: Registry, options: { everyMs: number; pullOnly: boolean; onProblem: (message: string) => void }): Promise<StoreFollower> {
  const service = await openSyncService(registry);
  if (!service) throw new RegistryError('INVALID_INPUT', `--sync-every needs a shared store, and ${registry.folder.root} has none. Set one with 'mreg store set URI', or leave --sync-every out.`);
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  const schedule = () => {
    timer = setTimeout(() => {
      round = service
        .sync({ pullOnly: options.pullOnly, signal: stopping.signal })
        .then(
          () => undefined,
          (error: Error) => {
            if (!stopping.signal.aborted) options.onProblem(`sync with the shared store failed; serving what this registry holds until the next round: ${error.message}`);
          },
        )
        .finally(() => {
          if (!stopping.signal.aborted) schedule();
        });
    }, options.everyMs);
  };
  schedule();
  return {
    async stop() {
      stopping.abort();
      clearTimeout(timer);
      await round;
      service.store.close();
    },
  };
}
