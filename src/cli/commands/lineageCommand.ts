import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_DEPTH, DEFAULT_FAN_OUT } from '../../core/lineageGraph';
import { lineageText } from '../../core/lineageReport';
import type { CliContext } from '../cliContext';

/** `mreg lineage`: the graph of data, commits, versions and stages around a version, a model or a data entry. */
export function addLineageCommand(program: Command, context: CliContext): void {
  program
    .command('lineage')
    .description('what a version was trained on and built from, who else used that data, and what points at it; --json gives nodes and edges')
    .argument('<ref|data>', 'a version (fraud/3, fraud@production), a model, or a data entry: its recorded path or URI, its sha256, its DVC md5, or data:sha256:<hex>')
    .option('--fan-out <n>', `versions drawn per shared data entry, commit or model before the rest are counted as "+N versions" (default ${DEFAULT_FAN_OUT})`, positiveInteger)
    .option('--depth <n>', `how many steps from the start shared data and commits are followed (default ${DEFAULT_DEPTH})`, positiveInteger)
    .action(async (subject: string, flags: { fanOut?: number; depth?: number }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const graph = registry.lineage(subject, { fanOut: flags.fanOut, depth: flags.depth });
        context.emit(options, graph, lineageText(graph));
      }),
    );
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw new InvalidArgumentError(`'${text}' is not a whole number from 1 to 1000.`);
  return value;
}
