import { InvalidArgumentError, type Command } from 'commander';
import { formatRef, parseRef } from '../../core/refs';
import type { DeletionReport } from '../../registry/lifecycle/versionDeletion';
import type { Changes, Registry } from '../../registry/registry';
import type { CliContext } from '../cliContext';
import { collect, parseTags } from '../keyValueOptions';

/**
 * `mreg describe`, `tag`, `delete` and `delete-model`: what may change after registration. A
 * description and tags are registry metadata, not part of the manifest (whose hash is the version's
 * identity), so editing them never makes a new version; each edit and each deletion is an event.
 */
export function addVersionEditCommands(program: Command, context: CliContext): void {
  const { withRegistry, emit, parseOrUsageError } = context;
  program
    .command('describe')
    .description("set the description of a version (name/3, name@champion …) or, given a bare name, of the model")
    .argument('<ref>')
    .argument('[text]', 'the new description')
    .option('--clear', 'remove the description')
    .option('--reason <text>', 'why, for the audit log')
    .action(async (ref: string, text: string | undefined, flags: { clear?: boolean; reason?: string }, command: Command) => {
      const description = parseOrUsageError(command, () => {
        if ((text === undefined) === !flags.clear) throw new InvalidArgumentError('give the new description, or --clear to remove it (not both).');
        return flags.clear ? null : text!;
      });
      await withRegistry(command, async (registry, options) => {
        const edited = await edit(registry, ref, { description, reason: flags.reason });
        emit(options, edited.json, `${description === null ? 'Cleared the description of' : 'Described'} ${edited.name}`);
      }, { willWrite: true });
    });

  program
    .command('tag')
    .description('set or remove tags on a version or, given a bare name, on the model')
    .argument('<ref>')
    .argument('[pairs...]', 'key=value tags to set')
    .option('--remove <key>', 'a tag to remove (repeatable)', collect, [])
    .option('--reason <text>', 'why, for the audit log')
    .action(async (ref: string, pairs: string[], flags: { remove: string[]; reason?: string }, command: Command) => {
      const tags = parseOrUsageError(command, () => {
        const set = parseTags(pairs);
        if (pairs.length === 0 && flags.remove.length === 0) throw new InvalidArgumentError('give key=value tags to set, or --remove <key>.');
        const both = flags.remove.filter((key) => Object.hasOwn(set, key));
        if (both.length > 0) throw new InvalidArgumentError(`'${both[0]}' is both set and removed; say one.`);
        return { ...set, ...Object.fromEntries(flags.remove.map((key) => [key, null])) } as Record<string, string | null>;
      });
      await withRegistry(command, async (registry, options) => {
        const edited = await edit(registry, ref, { tags, reason: flags.reason });
        const said = [...Object.entries(tags).filter(([, value]) => value !== null).map(([key, value]) => `${key}=${value}`), ...flags.remove.map((key) => `-${key}`)];
        emit(options, edited.json, `Tagged ${edited.name}: ${said.join(' ')}`);
      }, { willWrite: true });
    });

  program
    .command('delete')
    .description('delete a version (name/3): a tombstone sync carries; never one in Production; its blobs go at the next mreg gc after the grace period')
    .argument('<ref>')
    .requiredOption('--reason <text>', 'why, for the audit log (required)')
    .action(async (ref: string, flags: { reason: string }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const report = await registry.deleteVersion(ref, { reason: flags.reason });
        emit(options, report, deletionText(report));
      }, { willWrite: true }),
    );

  program
    .command('delete-model')
    .description('delete a model and all its versions (each by the rules of mreg delete); its name and history stay')
    .argument('<model>')
    .requiredOption('--reason <text>', 'why, for the audit log (required)')
    .action(async (model: string, flags: { reason: string }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const report = await registry.deleteModel(model, { reason: flags.reason });
        emit(options, report, deletionText(report));
      }, { willWrite: true }),
    );
}

/** A bare model name edits the model; any other reference the version it resolves to. */
async function edit(registry: Registry, ref: string, changes: Changes): Promise<{ name: string; json: unknown }> {
  const parsed = parseRef(ref);
  if (parsed.selector.kind === 'latest' && parsed.selector.implicit) {
    const model = await registry.updateModel(parsed.model, changes);
    return { name: `model ${model.name}`, json: model };
  }
  const version = await registry.updateVersion(parsed, changes);
  return { name: formatRef(version.model, version.number), json: version };
}

/** What went, in words: the versions with their stage and aliases, the model, and when the bytes go. */
export function deletionText(report: DeletionReport): string {
  const versions = report.versions.map((version) => `${formatRef(report.model, version.number)} (${version.stage}${version.aliases.length > 0 ? `; aliases ${version.aliases.join(', ')}` : ''})`);
  const what = report.modelDeleted ? `model ${report.model}${versions.length > 0 ? ` and ${versions.join(', ')}` : ''}` : versions.join(', ');
  return `Deleted ${what}. The artifacts stay until mreg gc removes unreferenced blobs after the grace period.`;
}
