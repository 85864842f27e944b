import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { setFlagsFromString } from 'node:v8';
import { inspectionErrorLines, securityFindingLines } from '../core/inspectionReport';
import { isRegistryError } from '../core/registryError';
import { Registry } from '../core/registry';
import { withCapturedLineage } from '../lineage/captureLineage';
import { locateProjectRoot, locateRegistryFolder } from '../core/registryFolder';
import { parseRef } from '../core/refs';
import { capturedSummary, eventsText, integrityText, modelsText, pullText, resolvedText, versionDetailsText, versionLine, versionsText } from '../core/textReports';
import { gateEvaluationText } from '../core/governance/governanceReports';
import { GateFailedError, type GateEvaluation } from '../core/governance/promotionGates';
import { addGovernanceCommands } from './commands/governanceCommands';
import { addHistoryCommands } from './commands/historyCommands';
import { addInspectCommands } from './commands/inspectCommands';
import { addRetentionCommands } from './commands/retentionCommands';
import { addSearchCommands } from './commands/searchCommands';
import { addDiffCommands } from './commands/diffCommands';
import { collect, parseDirections, parseMetrics, parseParams, parsePositiveInteger, parseStageArgument, parseTags } from './keyValueOptions';
import { progressBar } from './progressBar';
import { addSyncCommands, fetchMissingArtifacts, setStore, verifyStore } from './commands/syncCommands';

/** Exit codes: 0 success, 1 failure (one line on stderr starting `mreg:`), 2 usage error, 3 refused by the policy's gates, 130 cancelled. */
const EXIT = { ok: 0, failure: 1, usage: 2, gates: 3, cancelled: 130 } as const;

interface GlobalOptions {
  registry?: string;
  json?: boolean;
}

/** Set by the bundler from package.json. */
declare const MODEL_REGISTRY_VERSION: string;

const cancellation = new AbortController();

function warn(message: string): void {
  process.stderr.write(`mreg: warning: ${message}\n`);
}

function emit(options: GlobalOptions, json: unknown, text: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
}

async function withRegistry(command: Command, work: (registry: Registry, options: GlobalOptions) => Promise<void>): Promise<void> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const cwd = process.cwd();
  const registry = await Registry.open({ folder: locateRegistryFolder(cwd, options.registry), projectRoot: locateProjectRoot(cwd), onWarning: warn });
  for (const warning of registry.warnings) warn(warning);
  try {
    await work(registry, options);
  } finally {
    await registry.close();
  }
}

/** Option values checked inside an action are usage errors too: printed like commander's own, exit 2. */
function parseOrUsageError<T>(command: Command, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidArgumentError) command.error(error.message, { exitCode: EXIT.usage, code: 'mreg.invalidArgument' });
    throw error;
  }
}

/** A bare model name works, but what it resolves to changes with every registration. */
function warnIfUnpinned(refText: string, pinned: boolean, number: number): void {
  if (!pinned) {
    const model = parseRef(refText).model;
    warn(`'${refText}' resolved to the latest version, ${model}/${number}; deployments should pin a stage, alias or number, e.g. ${model}@production or ${model}/${number}.`);
  }
}

export function buildProgram(): Command {
  const program = new Command('mreg')
    .description('Model Registry: immutable, verifiable model versions with their full recipe, stages and aliases.')
    .version(MODEL_REGISTRY_VERSION)
    .option('--registry <dir>', 'registry folder (default: .modelregistry at the git root, else here; or $MREG_REGISTRY)')
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .exitOverride()
    .showHelpAfterError('(run mreg --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`mreg: ${text.replace(/^error: /, '')}`) });

  program
    .command('init')
    .description('create the registry folder and its .gitignore')
    .option('--store <uri>', 'sync with this shared store (see mreg store set)')
    .action(async (flags: { store?: string }, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const created = registry.initialize();
        const store = flags.store === undefined ? undefined : setStore(registry, flags.store);
        emit(
          options,
          { registry: registry.folder.root, created, store },
          `${created ? 'Initialized an empty registry' : 'A registry already exists'} in ${registry.folder.root}${store ? `, syncing with ${store}` : ''}`,
        );
      }),
    );

  program
    .command('register')
    .description('register files and folders as a new version of <model>')
    .argument('<model>', 'model name: lowercase letters, digits, -, _ and .')
    .argument('<path...>', 'weight files and folders that make up the version')
    .option('--metric <name=value>', 'an evaluation result (repeatable)', collect, [])
    .option('--metric-direction <name=max|min>', 'whether higher (max) or lower (min) is better (repeatable)', collect, [])
    .option('--param <name=value>', 'a hyperparameter (repeatable)', collect, [])
    .option('--data <path|uri>', 'data the model was trained on: a path (hashed), a URI (#sha256=… or #etag=… optional) or a DVC file (repeatable)', collect, [])
    .option('--params <file>', 'read params from this file (YAML/JSON, dvc.lock, an MLflow run folder) instead of discovering them')
    .option('--metrics <file>', 'read metrics from this file (JSON/YAML, an MLflow or W&B run folder) instead of discovering them')
    .option('--no-discover', 'do not look for params, metrics and DVC data in the project')
    .option('--python <interpreter>', "also record `pip freeze` of this Python interpreter")
    .option('--require-clean', 'refuse to register from a git working tree with uncommitted changes')
    .option('--dry-run', 'print the manifest that would be registered, with everything captured, and write nothing')
    .option('--tag <key=value>', 'a tag on the version (repeatable)', collect, [])
    .option('--semver <X.Y.Z>', 'a semantic version label, unique per model')
    .option('--description <text>', 'what this version is')
    .option('--stage <stage>', 'stage to place it in at once', parseStageArgument)
    .option('--reason <text>', 'why, for the audit log')
    .option('--no-inspect', 'record only size and hash of each file: skip reading formats, signatures and security findings')
    .action(async (model: string, paths: string[], flags: Record<string, string[] | string | boolean | undefined>, command: Command) =>
      withRegistry(command, async (registry, options) => {
        const values = parseOrUsageError(command, () => ({
          metrics: parseMetrics(flags.metric as string[]),
          metricDirections: parseDirections(flags.metricDirection as string[]),
          params: parseParams(flags.param as string[]),
          tags: parseTags(flags.tag as string[]),
        }));
        const dryRun = flags.dryRun === true;
        const typed = {
          model,
          paths,
          ...values,
          semver: flags.semver as string | undefined,
          description: flags.description as string | undefined,
          stage: flags.stage as ReturnType<typeof parseStageArgument> | undefined,
          reason: flags.reason as string | undefined,
          requireClean: flags.requireClean === true,
          inspect: flags.inspect !== false,
        };
        // A mistyped name or a taken semver is reported before data is hashed and git is asked.
        registry.checkRegisterInput(typed);
        const captured = await registry.captureLineage({
          data: flags.data as string[],
          discover: flags.discover !== false,
          params: flags.params as string | undefined,
          metrics: flags.metrics as string | undefined,
          pythonInterpreter: flags.python as string | undefined,
          signal: cancellation.signal,
          dryRun,
        });
        const input = withCapturedLineage(typed, captured);
        const bar = progressBar('hashing');
        try {
          const work = { signal: cancellation.signal, onProgress: (done: number, total: number, item: string) => bar.update(done, total, item) };
          if (dryRun) {
            const manifest = await registry.previewManifest(input, work);
            bar.stop();
            emit(options, { dryRun: true, model, tags: input.tags, manifest }, `${JSON.stringify(manifest, null, 2)}\n${capturedSummary(manifest)}\nDry run: nothing was written.`);
            return;
          }
          const version = await registry.register(input, work);
          bar.stop();
          const { manifest } = registry.version({ model: version.model, selector: { kind: 'number', number: version.number } });
          for (const line of inspectionErrorLines(manifest)) warn(line);
          const findings = securityFindingLines(manifest);
          if (findings.length > 0) {
            warn(`SECURITY: ${findings.length} finding(s) in ${version.model}/${version.number}; the files were not executed, but loading them may run code:`);
            for (const line of findings) warn(`  ${line}`);
          }
          emit(
            options,
            { model: version.model, version: version.number, id: version.id, fingerprint: version.fingerprint, stage: version.stage, semver: version.semver, artifacts: manifest.artifacts },
            `Registered ${versionLine(version)}\n  fingerprint ${version.fingerprint}\n  ${manifest.artifacts.length} artifact(s)\n${capturedSummary(manifest)}`,
          );
        } finally {
          bar.stop();
        }
      }),
    );

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
      }),
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
      }),
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
      }),
    );

  program
    .command('resolve')
    .description('the exact version a reference means, with each artifact and its local blob path')
    .argument('<ref>')
    .action(async (ref: string, _options, command: Command) => withRegistry(command, async (registry, options) => {
      const resolved = registry.resolve(ref);
      warnIfUnpinned(ref, resolved.pinned, resolved.version.number);
      await fetchMissingArtifacts(registry, resolved, cancellation.signal);
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
        warnIfUnpinned(ref, resolved.pinned, resolved.version.number);
        await fetchMissingArtifacts(registry, resolved, cancellation.signal);
        const bar = progressBar('pulling');
        try {
          const result = await registry.pull(parseRef(`${resolved.version.model}/${resolved.version.number}`), flags.to, {
            force: flags.force,
            signal: cancellation.signal,
            onProgress: (done, total, item) => bar.update(done, total, item),
          });
          bar.stop();
          emit(options, result, pullText(result));
        } finally {
          bar.stop();
        }
      }),
    );

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
    .action(async (flags: { store?: boolean; sample?: number }, command: Command) => withRegistry(command, async (registry, options) => {
      if (flags.store) {
        const { report, text } = await verifyStore(registry, { sample: flags.sample, signal: cancellation.signal });
        emit(options, report, text);
        if (report.problems.length > 0) {
          process.stderr.write(`mreg: verify --store found ${report.problems.length} problem(s)\n`);
          process.exitCode = EXIT.failure;
        }
        return;
      }
      const bar = progressBar('verifying');
      const report = await registry.verify({ signal: cancellation.signal, onProgress: (done, total, item) => bar.update(done, total, item) });
      bar.stop();
      emit(options, report, integrityText(report));
      if (report.problems.length > 0) {
        process.stderr.write(`mreg: verify found ${report.problems.length} problem(s)\n`);
        process.exitCode = EXIT.failure;
      }
    }));

  addHistoryCommands(program, { withRegistry, emit });
  addSyncCommands(program, { withRegistry, emit, signal: cancellation.signal });
  addSearchCommands(program, { withRegistry, emit });
  addRetentionCommands(program, { withRegistry, emit, signal: cancellation.signal });
  addInspectCommands(program);
  addGovernanceCommands(program, { withRegistry, emit });
  addDiffCommands(program, { withRegistry, emit });

  return program;
}

async function main(): Promise<void> {
  // mreg lives for a fraction of a second. V8 would otherwise recompile all of sql.js with its
  // optimizing tier on background threads, which on a 2-core machine starves file I/O for ~100 ms;
  // the baseline tier alone is faster for a short process (measured: an unchanged re-register went
  // from ~100 ms to ~25 ms, opening 100k versions from 134 ms to 77 ms). Only the CLI does this:
  // a library or the extension host must not change V8 settings for everyone else.
  setFlagsFromString('--liftoff-only');
  let interrupts = 0;
  process.on('SIGINT', () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    cancellation.abort();
  });
  try {
    await buildProgram().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version end here too, with code 0; commander has already printed what it had to say.
      process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    } else if (isRegistryError(error, 'GATE_FAILED')) {
      process.stderr.write(`mreg: ${error.message}\n`);
      process.exitCode = EXIT.gates;
    } else if (isRegistryError(error, 'CANCELLED')) {
      process.stderr.write(`mreg: ${error.message}\n`);
      process.exitCode = EXIT.cancelled;
    } else if (isRegistryError(error)) {
      process.stderr.write(`mreg: ${error.message}\n`);
      process.exitCode = EXIT.failure;
    } else {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`mreg: unexpected error: ${message}\n`);
      if (process.env.MREG_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exitCode = EXIT.failure;
    }
  }
}

void main();
