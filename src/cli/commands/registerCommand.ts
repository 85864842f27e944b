import type { Command } from 'commander';
import { inspectionErrorLines, securityFindingLines } from '../../core/inspectionReport';
import { capturedSummary, versionLine } from '../../core/textReports';
import { withCapturedLineage } from '../../registry/registration/registerInput';
import type { CliContext } from '../cliContext';
import { collect, parseDirections, parseJsonParams, parseMetrics, parseParams, parseStageArgument, parseTags } from '../keyValueOptions';
import { progressBar } from '../progressBar';

/** `mreg register`: files and folders become a new version, with the lineage captured from the project. */
export function addRegisterCommand(program: Command, context: CliContext): void {
  const { withRegistry, emit, warn, signal } = context;
  program
    .command('register')
    .description('register files and folders as a new version of <model>')
    .argument('<model>', 'model name: letters, digits, -, _ and ., case kept')
    .argument('<path...>', 'weight files and folders that make up the version')
    .option('--metric <name=value>', 'an evaluation result (repeatable)', collect, [])
    .option('--metric-direction <name=max|min>', 'whether higher (max) or lower (min) is better (repeatable)', collect, [])
    .option('--param <name=value>', 'a hyperparameter (repeatable)', collect, [])
    .option('--param-json <name=json>', 'a hyperparameter whose value is JSON: a string, number, boolean or null (repeatable)', collect, [])
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
        const values = context.parseOrUsageError(command, () => ({
          metrics: parseMetrics(flags.metric as string[]),
          metricDirections: parseDirections(flags.metricDirection as string[]),
          params: { ...parseParams(flags.param as string[]), ...parseJsonParams(flags.paramJson as string[]) },
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
          artifacts: paths,
          discover: flags.discover !== false,
          params: flags.params as string | undefined,
          metrics: flags.metrics as string | undefined,
          pythonInterpreter: flags.python as string | undefined,
          signal,
          dryRun,
        });
        for (const line of captured.warnings) warn(line);
        const input = withCapturedLineage(typed, captured);
        const bar = progressBar('hashing');
        try {
          const work = { signal, onProgress: (done: number, total: number, item: string) => bar.update(done, total, item) };
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
            // The whole version record (as `mreg versions` prints it), with `version` for its number as before.
            { ...version, version: version.number, artifacts: manifest.artifacts },
            `Registered ${versionLine(version)}\n  fingerprint ${version.fingerprint}\n  ${manifest.artifacts.length} artifact(s)\n${capturedSummary(manifest)}`,
          );
        } finally {
          bar.stop();
        }
      }, { willWrite: true }),
    );
}
