import type { Command } from 'commander';
import { gcText } from '../../registry/retention/gcReport';
import { gcEverywhere } from '../../sync/storeGarbageCollection';
import { storeGcText } from '../../sync/syncReports';
import type { CliContext } from '../cliContext';

/** `mreg gc [--dry-run]`: apply the retention policy and remove blobs nothing refers to, here and in the shared store. */
export function addRetentionCommands(program: Command, context: CliContext): void {
  program
    .command('gc')
    .description('apply the retention policy (policy.yaml retention:), leaving a tombstone per deleted version, and remove blobs no version refers to after a grace period, locally and in the shared store')
    .option('--dry-run', 'list what would go and the bytes freed; change nothing')
    .option('--keep-last <n>', 'keep the newest N versions of each model (overrides policy.yaml)', Number)
    .option('--delete-archived-after <days>', 'delete versions Archived at least this many days ago (overrides policy.yaml)', Number)
    .option('--grace-hours <hours>', 'remove an unreferenced blob only after this long (default 24)', Number)
    .action(async (flags: { dryRun?: boolean; keepLast?: number; deleteArchivedAfter?: number; graceHours?: number }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const report = await gcEverywhere(registry, {
          dryRun: flags.dryRun,
          policy: { keepLast: flags.keepLast, deleteArchivedAfterDays: flags.deleteArchivedAfter, blobGraceHours: flags.graceHours },
          signal: context.signal,
        });
        const text = [
          gcText(report),
          ...(report.store ? [storeGcText(report.store, report.dryRun, report.policy.blobGraceHours)] : []),
          ...(report.storeSkipped ? [`Shared store left alone: ${report.storeSkipped}`] : []),
        ];
        context.emit(options, report, text.join('\n'));
      }, { willWrite: !flags.dryRun }),
    );
}
