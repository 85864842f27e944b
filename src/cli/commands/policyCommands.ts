import type { Command } from 'commander';
import { loadPolicy } from '../../core/governance/policy';
import { trustPolicy } from '../../registry/governance/policyTrust';
import type { CliContext } from '../cliContext';

/**
 * `mreg policy trust`: approves, for this clone only, the programs the registry's policy.yaml
 * names (webhook commands), which otherwise never run: the file comes with the repository. The
 * approval holds for the file as it is now; a changed file needs it again.
 */
export function addPolicyCommands(program: Command, context: CliContext): void {
  const policy = program.command('policy').description('the promotion policy (.modelregistry/policy.yaml) and what it may run');

  policy
    .command('trust')
    .description("approve the policy file's webhook commands for this clone, as the file is now")
    .action(async (_flags: unknown, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const folder = registry.folder.root;
        // Parsed first: a file that is not a valid policy is refused, not approved.
        const commands = (loadPolicy(folder).webhooks ?? []).flatMap((hook) => (hook.command ? [hook.command] : []));
        const trust = trustPolicy(folder);
        const listed = commands.map((argv) => `  ${argv.map((part) => JSON.stringify(part)).join(' ')}`);
        context.emit(
          options,
          { ...trust, commands },
          [
            `Approved ${trust.policyFile} (sha256 ${trust.policySha256.slice(0, 12)}…) for this clone.`,
            commands.length > 0 ? `These webhook commands may now run on registry events:\n${listed.join('\n')}` : 'It names no webhook commands.',
            'A change to the file needs approval again.',
          ].join('\n'),
        );
      }),
    );
}
