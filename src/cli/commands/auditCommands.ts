import type { Command } from 'commander';
import { eventsText } from '../../core/textReports';
import { integrityText } from '../../registry/registryReports';
import { EXIT, type CliContext } from '../cliContext';
import { parsePositiveInteger } from '../keyValueOptions';
import { progressBar } from '../progressBar';
import { verifyStore, withStoreBlobs } from './syncCommands';
import { verifyText } from '../../sync/syncReports';

/** `mreg log` and `mreg verify`: the audit log, and checking every byte and link of the registry. */
export function addAuditCommands(program: Command, context: CliContext): void {
  const { withRegistry, emit, signal } = context;
  program
    .command('log')
    .description('the audit log, newest first')
    .argument('[model]')
    .option('--limit <n>', 'at most this many events', parsePositiveInteger)
    .action(async (model: string | undefined, flags: { limit?: number }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const events = registry.log({ model, limit: flags.limit });
        emit(options, events, eventsText(events));
      }),
    );

  program
    .command('verify')
    .description('re-hash every blob and check the event chain; list each problem')
    .option('--store', "check the shared store instead: its log's hash chain and its blobs")
    .option('--sample <n>', 'with --store: re-hash only this many randomly chosen blobs', parsePositiveInteger)
    .option('--fetch', 'download and check the artifacts of pulled versions not fetched yet (otherwise listed as not fetched, not as missing)')
    .action(async (flags: { store?: boolean; sample?: number; fetch?: boolean }, command: Command) => withRegistry(command, async (registry, options) => {
      if (flags.store) {
        const { report, text } = await verifyStore(registry, { sample: flags.sample, signal });
        emit(options, report, text);
        if (report.problems.length > 0) {
          process.stderr.write(`mreg: verify --store found ${report.problems.length} problem(s)\n`);
          process.exitCode = EXIT.failure;
        }
        return;
      }
      const bar = progressBar('verifying');
      const local = await registry.verify({ signal, onProgress: (done, total, item) => bar.update(done, total, item) });
      bar.stop();
      const report = await withStoreBlobs(registry, local, { fetch: flags.fetch === true, signal });
      emit(options, report, 'notFetched' in report ? verifyText(report) : integrityText(report));
      if (report.problems.length > 0) {
        process.stderr.write(`mreg: verify found ${report.problems.length} problem(s)\n`);
        process.exitCode = EXIT.failure;
      }
    }));
}
