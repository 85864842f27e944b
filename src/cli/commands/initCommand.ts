import type { Command } from 'commander';
import type { CliContext } from '../cliContext';
import { setStore } from './syncCommands';

/** `mreg init`: creating the registry folder, optionally with its shared store. */
export function addInitCommand(program: Command, context: CliContext): void {
  const { withRegistry, emit } = context;
  program
    .command('init')
    .description('create the registry folder and its .gitignore')
    .option('--store <uri>', 'sync with this shared store (see mreg store set)')
    .action(async (flags: { store?: string }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const created = registry.initialize();
        const store = flags.store === undefined ? undefined : setStore(registry, flags.store);
        emit(
          options,
          { registry: registry.folder.root, created, store },
          `${created ? 'Initialized an empty registry' : 'A registry already exists'} in ${registry.folder.root}${store ? `, syncing with ${store}` : ''}`,
        );
      }),
    );
}
