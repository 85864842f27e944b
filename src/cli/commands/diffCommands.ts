import type { Command } from 'commander';
import { comparisonText } from '../../core/comparisonReport';
import type { CommandHelpers } from './commandHelpers';

/** `mreg diff <refA> <refB>`: metrics, params, artifacts, signature and lineage that differ. */
export function addDiffCommands<Options extends { json?: boolean }>(program: Command, helpers: CommandHelpers<Options>): void {
  program
    .command('diff')
    .description('compare two versions: metrics (better/worse), params, artifacts, signature, lineage')
    .argument('<refA>', 'the version compared from, e.g. name/1 or name@production')
    .argument('<refB>', 'the version compared to')
    .action(async (refA: string, refB: string, _options, command: Command) =>
      helpers.withRegistry(command, async (registry, options) => {
        const comparison = await registry.compare(refA, refB);
        helpers.emit(options, comparison, comparisonText(comparison));
      }),
    );
}
