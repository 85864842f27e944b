import type { Command } from 'commander';
import { parseRef } from '../../core/refs';
import { resolvedText } from '../../core/textReports';
import { assertArtifactsHeld } from '../../registry/heldArtifacts';
import { pullText } from '../../registry/registryReports';
import type { CliContext } from '../cliContext';
import { progressBar } from '../progressBar';
import { fetchMissingArtifacts } from './syncCommands';

/** `mreg resolve` and `mreg pull`: what serving code and CI ask for, fetched from the shared store when not held here. */
export function addArtifactCommands(program: Command, context: CliContext): void {
  const { withRegistry, emit, signal } = context;
  program
    .command('resolve')
    .description('the exact version a reference means, with each artifact and its local blob path; exits 1 when a blob is not here')
    .argument('<ref>')
    .option('--verify', 're-hash each artifact before printing its path')
    .action(async (ref: string, flags: { verify?: boolean }, command: Command) => withRegistry(command, async (registry, options) => {
      const resolved = registry.resolve(ref);
      context.warnIfUnpinned(ref, resolved.pinned, resolved.version.number);
      await fetchMissingArtifacts(registry, resolved, signal);
      await assertArtifactsHeld(resolved, registry.blobs, { verify: flags.verify, signal });
      emit(options, resolved, resolvedText(resolved));
    }));

  program
    .command('pull')
    .description("copy a version's artifacts into a folder, verifying every byte")
    .argument('<ref>')
    .requiredOption('--to <dir>', 'target folder')
    .option('--force', 'overwrite files that differ')
    .action(async (ref: string, flags: { to: string; force?: boolean }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const resolved = registry.resolve(ref);
        context.warnIfUnpinned(ref, resolved.pinned, resolved.version.number);
        await fetchMissingArtifacts(registry, resolved, signal);
        const bar = progressBar('pulling');
        try {
          const result = await registry.pull({ ...parseRef(`${resolved.version.model}/${resolved.version.number}`), path: parseRef(ref).path }, flags.to, {
            force: flags.force,
            signal,
            onProgress: (done, total, item) => bar.update(done, total, item),
          });
          bar.stop();
          emit(options, result, pullText(result));
        } finally {
          bar.stop();
        }
      }),
    );
}
