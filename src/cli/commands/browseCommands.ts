import type { Command } from 'commander';
import { modelsText, versionDetailsText, versionsText } from '../../core/textReports';
import type { CliContext } from '../cliContext';

/** `mreg models`, `versions` and `show`: reading the registry. */
export function addBrowseCommands(program: Command, context: CliContext): void {
  const { withRegistry, emit } = context;
  program
    .command('models')
    .description('list registered models')
    .action(async (_options, command: Command) => withRegistry(command, async (registry, options) => {
      const models = registry.models();
      emit(options, models, modelsText(models));
    }));

  program
    .command('versions')
    .description("list a model's versions, newest first")
    .argument('<model>')
    .action(async (model: string, _options, command: Command) => withRegistry(command, async (registry, options) => {
      const versions = registry.versions(model);
      emit(options, versions, versionsText(versions));
    }));

  program
    .command('show')
    .description('show a version with its manifest')
    .argument('<ref>', 'name/3, name@production, name@alias, name@v1.2.0, name, models:/name/3')
    .action(async (ref: string, _options, command: Command) => withRegistry(command, async (registry, options) => {
      const details = registry.version(ref);
      emit(options, details, versionDetailsText(details));
    }));
}
