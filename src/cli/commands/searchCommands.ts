import type { Command } from 'commander';
import { searchText } from '../../core/search/searchReport';
import { parsePositiveInteger } from '../keyValueOptions';
import type { CliContext } from '../cliContext';

/** `mreg search "<query>"`: versions of every model that match a query. */
export function addSearchCommands(program: Command, context: CliContext): void {
  program
    .command('search')
    .description("versions matching a query, e.g. \"name LIKE 'fraud%' AND metrics.accuracy > 0.85 AND created_at > now-30d\"")
    .argument('<query>', 'the query (see the README, Search); an empty query matches every version')
    .option('--order-by <field>', 'order by a field, e.g. "metrics.accuracy DESC" (default: model, then newest first)')
    .option('--limit <n>', 'at most this many versions', parsePositiveInteger)
    .action(async (query: string, flags: { orderBy?: string; limit?: number }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const hits = registry.search(query, { orderBy: flags.orderBy, limit: flags.limit });
        context.emit(options, hits, searchText(hits, flags.orderBy));
      }),
    );
}
