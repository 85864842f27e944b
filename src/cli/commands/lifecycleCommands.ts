import type { Command } from 'commander';
import { gateEvaluationText } from '../../core/governance/governanceReports';
import { GateFailedError, type GateEvaluation } from '../../core/governance/promotionGates';
import { versionLine } from '../../core/textReports';
import type { CliContext } from '../cliContext';
import { parseStageArgument } from '../keyValueOptions';

/** `mreg promote`, `alias` and `unalias`: moving versions through stages and naming them. */
export function addLifecycleCommands(program: Command, context: CliContext): void {
  const { withRegistry, emit } = context;
  program
    .command('promote')
    .description('move a version to a stage; promoting to Production archives the previous Production version')
    .argument('<ref>')
    .argument('<stage>', 'None, Staging, Production or Archived (any case)', parseStageArgument)
    .option('--reason <text>', 'why, for the audit log')
    .option('--override', "promote although the policy's gates fail, where the policy allows it (needs --reason; logged as an override)")
    .action(async (ref: string, stage: ReturnType<typeof parseStageArgument>, flags: { reason?: string; override?: boolean }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        let gates: GateEvaluation | undefined;
        try {
          const version = await registry.promote(ref, stage, { reason: flags.reason, override: flags.override, onGates: (evaluation) => (gates = evaluation) });
          emit(options, gates ? { ...version, gates } : version, `${gates ? `${gateEvaluationText(gates)}\n` : ''}${gates && !gates.passed ? 'Overridden: ' : ''}Promoted ${versionLine(version)}`);
        } catch (error) {
          // The rules and their numbers go to stdout like a success would; the one-line verdict to stderr.
          if (error instanceof GateFailedError) emit(options, error.evaluation, gateEvaluationText(error.evaluation));
          throw error;
        }
      }, { willWrite: true }),
    );

  program
    .command('alias')
    .description('point an alias (champion, challenger, …) at a version')
    .argument('<ref>')
    .argument('<alias>')
    .option('--reason <text>', 'why, for the audit log')
    .action(async (ref: string, alias: string, flags: { reason?: string }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const version = await registry.setAlias(ref, alias, { reason: flags.reason });
        emit(options, version, `Alias ${alias} → ${versionLine(version)}`);
      }, { willWrite: true }),
    );

  program
    .command('unalias')
    .description('remove an alias from a model')
    .argument('<model>')
    .argument('<alias>')
    .option('--reason <text>', 'why, for the audit log')
    .action(async (model: string, alias: string, flags: { reason?: string }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        await registry.removeAlias(model, alias, { reason: flags.reason });
        emit(options, { model, alias, removed: true }, `Removed alias ${alias} from ${model}`);
      }, { willWrite: true }),
    );
}
