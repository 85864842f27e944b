import { InvalidArgumentError, type Command } from 'commander';
import { stageHistoryText, versionLine } from '../../core/textReports';
import { parseStageArgument } from '../keyValueOptions';
import type { CliContext } from '../cliContext';

/** `mreg history` and `mreg rollback`: who held Production when, and going back one step. */
export function addHistoryCommands(program: Command, context: CliContext): void {
  program
    .command('history')
    .description('stage changes of a model, oldest first; --as-of answers "what was in Production on date D"')
    .argument('<model>')
    .option('--stage <stage>', 'only changes into or out of this stage (None, Staging, Production, Archived)', parseStageArgument)
    .option('--as-of <date>', 'also say which versions held the stage (default Production) at this time; a date alone means the end of that day (UTC)', parseAsOf)
    .action(async (model: string, flags: { stage?: ReturnType<typeof parseStageArgument>; asOf?: Date }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const history = registry.stageHistory(model, { stage: flags.stage, asOf: flags.asOf });
        context.emit(options, history, stageHistoryText(model, history));
      }),
    );

  program
    .command('rollback')
    .description('return Production to the version that held it before the current one (the current one is archived)')
    .argument('<model>')
    .requiredOption('--reason <text>', 'why, for the audit log')
    .action(async (model: string, flags: { reason: string }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const outcome = await registry.rollback(model, { reason: flags.reason });
        context.emit(options, outcome, `Rolled back Production: ${versionLine(outcome.target)} replaces ${versionLine(outcome.current)}`);
      }, { willWrite: true }),
    );
}

/** An ISO date or time. A date alone stands for the end of that day, so the day's changes count. */
export function parseAsOf(text: string): Date {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text.trim());
  const parsed = Date.parse(dateOnly ? `${text.trim()}T23:59:59.999Z` : text);
  if (Number.isNaN(parsed)) throw new InvalidArgumentError(`'${text}' is not a date: write it as 2026-11-01 or 2026-11-01T14:30:00Z.`);
  return new Date(parsed);
}
