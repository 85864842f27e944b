import type { Command } from 'commander';
import { columnsText, comparisonText } from '../../core/comparisonReport';
import type { CliContext } from '../cliContext';

/** `mreg diff <refA> <refB> [more…]`: two versions in detail, or up to five as columns. */
export function addDiffCommands(program: Command, context: CliContext): void {
  program
    .command('diff')
    .description('compare two versions: metrics (better/worse), params, artifacts, signature, lineage; or up to five side by side as columns')
    .argument('<refA>', 'the version compared from, e.g. name/1 or name@production')
    .argument('<refB>', 'the version compared to')
    .argument('[more...]', 'up to three more versions: all are shown as columns, the best value of each metric marked')
    .action(async (refA: string, refB: string, more: string[], _options, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        if (more.length > 0) {
          const columns = registry.compareColumns([refA, refB, ...more]);
          context.emit(options, columns, columnsText(columns));
          return;
        }
        const comparison = await registry.compare(refA, refB);
        context.emit(options, comparison, comparisonText(comparison));
      }),
    );
}
