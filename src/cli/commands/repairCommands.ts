import type { Command } from 'commander';
import { repairText } from '../../registry/registryReports';
import type { CliContext } from '../cliContext';

/** `mreg repair`: rebuild a damaged op log from what is intact, what follows the damage and the newest snapshot. */
export function addRepairCommands(program: Command, context: CliContext): void {
  program
    .command('repair')
    .description("rebuild a damaged op log: keep its intact part, re-chain the readable batches after the damage, restore from the newest intact snapshot what the log lost, keep the damaged file aside, and say what is gone")
    .action(async (_flags: unknown, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const report = await registry.repair();
        context.emit(options, report, repairText(report));
      }, { willWrite: true }),
    );
}
