import type { Command } from 'commander';
import { columnsText, comparisonText } from '../../core/comparisonReport';
import type { CommandHelpers } from './commandHelpers';

/** `mreg diff <refA> <refB> [more…]`: two versions in detail, or up to five as columns. */
export function addDiffCommands<Options extends { json?: boolean }>(program: Command, helpers: CommandHelpers<Options>): void {
  program
    .command('diff')
    .description('compare two versions: metrics (better/worse), params, artifacts, signature, lineage; or up to five side by side as columns')
    .argument('<refA>', 'the version compared from, e.g. name/1 or name@production')
    .argument('<refB>', 'the version compared to')
    .argument('[more...]', 'up to three more versions: all are shown as columns, the best value of each metric marked')
    .action(async (refA: string, refB: string, more: string[], _options, command: Command) =>
      helpers.withRegistry(command, async (registry, options) => {
        if (more.length > 0) {
          const columns = registry.compareColumns([refA, refB, ...more]);
          helpers.emit(options, columns, columnsText(columns));
          return;
        }
        const comparison = await registry.compare(refA, refB);
        helpers.emit(options, comparison, comparisonText(comparison));
      }),
    );
}
