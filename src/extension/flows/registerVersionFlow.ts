import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/modelVersion';
import validSemver from 'semver/functions/valid';
import type { RegisterInput, Registry } from '../../registry/registry';
import { formatRef } from '../../core/refs';
import type { CapturedLineage } from '../../lineage/captureLineage';
import { withCapturedLineage } from '../../registry/registration/registerInput';
import { findParamsAndMetrics, type ParamsMetricsCandidate } from '../../lineage/paramsAndMetrics';
import { pickOrNameModel, suggestModelName } from './modelNamePicker';
import { registrationSummary } from './registrationSummary';
import { runRecordChoices } from './runRecordChoices';
import { runWithProgress } from './progress';
import { StepTitles } from './stepTitles';
import { pickTrainingData } from './trainingDataStep';
import { askMetricDirections } from './metricDirectionsStep';
import type { MetricDirection } from '../../core/manifest';
import { setOwn, userKeyedRecord } from '../../core/userKeyedRecord';

const TITLE = 'Register Model Version';

/** What a keybinding, task or test may pass to register without prompts. */
export type RegisterRequest = Pick<RegisterInput, 'model' | 'paths'> & Partial<Omit<RegisterInput, 'model' | 'paths'>>;

export function isRegisterRequest(value: unknown): value is RegisterRequest {
  return !!value && typeof value === 'object' && typeof (value as RegisterRequest).model === 'string' && Array.isArray((value as RegisterRequest).paths);
}

export interface RegisterFlowOptions {
  registry: Registry;
  /** Files or folders chosen already (Explorer selection, active editor); asked for otherwise. */
  paths?: string[];
  weightFilePatterns: string[];
  metricDirections: RegisterInput['metricDirections'];
  /** Refuse a dirty git working tree (the `modelRegistry.requireCleanTree` setting). */
  requireClean: boolean;
  /** Whose `pip freeze` to record: the interpreter chosen in the Python extension, if any. */
  pythonInterpreter?: string;
}

/**
 * Register Model Version…: files → model (existing or new, validated as typed) → semver label
 * (validated, unique) → description → where params and metrics come from, when the project holds
 * such sources → training data → which way is better for metrics without a known direction → a
 * summary of what was captured, to confirm. Nothing is written before the
 * summary is confirmed, and cancelling the hashing leaves nothing half-registered.
 */
export async function registerVersionFlow(options: RegisterFlowOptions): Promise<ModelVersion | undefined> {
  const { registry } = options;
  const paths = options.paths?.length ? options.paths : await pickFiles(options.weightFilePatterns);
  if (!paths?.length) return undefined;
  // The params and metrics steps are asked only when the project holds such sources: counted up front so the numbers never skip.
  const candidates = findParamsAndMetrics(registry.projectRoot, { artifacts: paths });
  const asked = (['params', 'metrics'] as const).filter((kind) => runRecordChoices(candidates, kind).length > 0).length;
  // model, semver, description, data, higher-is-better, lower-is-better, summary (the direction steps drop out when every metric has one).
  const steps = new StepTitles(TITLE, 7 + asked);
  const model = await pickOrNameModel(registry, steps.next('model'), suggestModelName(paths[0]));
  if (!model) return undefined;
  const semver = await vscode.window.showInputBox({
    title: steps.next('semver label (optional)'),
    prompt: `A label such as 1.2.0, unique within ${model}. Leave empty for none.`,
    ignoreFocusOut: true,
    validateInput: (value) => semverProblem(registry, model, value),
  });
  if (semver === undefined) return undefined;
  const description = await vscode.window.showInputBox({
    title: steps.next('description (optional)'),
    prompt: 'What changed in this version?',
    ignoreFocusOut: true,
  });
  if (description === undefined) return undefined;
  const params = await pickRunRecord(candidates, 'params', steps);
  if (params === undefined) return undefined;
  // One run per version: once the params come from a run, the metrics come from it or from a file.
  const metricsCandidates = params?.run ? candidates.filter((candidate) => !candidate.run || candidate.path === params.path) : candidates;
  if (runRecordChoices(candidates, 'metrics').length > 0 && runRecordChoices(metricsCandidates, 'metrics').length === 0) steps.skip();
  const metrics = await pickRunRecord(metricsCandidates, 'metrics', steps);
  if (metrics === undefined) return undefined;
  const data = await pickTrainingData(steps);
  if (data === undefined) return undefined;
  const captured = await runWithProgress('Capturing lineage (git, data, params, metrics, environment)', (work) =>
    registry.captureLineage({ signal: work.signal, params, metrics, data, artifacts: paths, pythonInterpreter: options.pythonInterpreter }),
  );
  const metricDirections = await askMetricDirections(Object.keys(captured.metrics), knownDirections(registry, model, options.metricDirections), steps);
  if (metricDirections === undefined) return undefined;
  const input: RegisterInput = {
    model,
    paths,
    semver: semver.trim() || undefined,
    description: description.trim() || undefined,
    metricDirections,
    requireClean: options.requireClean,
  };
  if (!(await confirmSummary(registry, input, captured, steps.next('summary')))) return undefined;
  return registerWithProgress(registry, withCapturedLineage(input, captured));
}

/**
 * Registers with a cancellable progress notification over the hashing and copying. An input not yet
 * completed by a capture (a keybinding, a task) gets lineage as `mreg register` captures it: the
 * first candidate of each kind.
 */
export function registerWithProgress(registry: Registry, input: RegisterInput, pythonInterpreter?: string): Promise<ModelVersion> {
  // A mistyped model name or a taken semver is reported before any data is hashed or git is asked.
  registry.checkRegisterInput(input);
  return runWithProgress(`Registering ${input.model}`, async (work) => {
    const completed = input.git === undefined ? withCapturedLineage(input, await registry.captureLineage({ signal: work.signal, artifacts: input.paths, pythonInterpreter })) : input;
    return registry.register(completed, work);
  });
}

/**
 * Asks where the params (metrics) come from, "none" included, whenever the project holds a source
 * of that kind. Resolves to null for "none", undefined when the person cancelled.
 */
async function pickRunRecord(candidates: ParamsMetricsCandidate[], kind: 'params' | 'metrics', steps: StepTitles): Promise<ParamsMetricsCandidate | null | undefined> {
  const choices = runRecordChoices(candidates, kind);
  if (choices.length === 0) return null;
  const sources = choices.length - 1;
  const choice = await vscode.window.showQuickPick(choices, {
    title: steps.next(`where do the ${kind} come from?`),
    placeHolder: `The project holds ${sources} ${kind} source${sources === 1 ? '' : 's'}; choose one for this version, or none`,
    ignoreFocusOut: true,
  });
  return choice === undefined ? undefined : choice.candidate;
}

/** Directions from the settings, and for other metrics those the model's versions already record (the newest version's). */
function knownDirections(registry: Registry, model: string, fromSettings: RegisterInput['metricDirections']): Record<string, MetricDirection> {
  const directions = userKeyedRecord(Object.entries(fromSettings ?? {}));
  if (!registry.models().some((m) => m.name === model)) return directions;
  for (const series of registry.metricHistory(model).metrics) {
    if (series.direction && !Object.hasOwn(directions, series.name)) setOwn(directions, series.name, series.direction);
  }
  return directions;
}

function semverProblem(registry: Registry, model: string, value: string): string | undefined {
  const label = value.trim();
  if (!label) return undefined;
  const normalized = validSemver(label);
  if (!normalized) return `'${label}' is not a semver label: write MAJOR.MINOR.PATCH, e.g. 1.2.0 or 2.0.0-rc.1`;
  const holder = registry.models().some((m) => m.name === model) ? registry.versions(model).find((version) => version.semver === normalized) : undefined;
  return holder ? `${normalized} is already taken by ${formatRef(model, holder.number)}; labels are unique per model` : undefined;
}

async function confirmSummary(registry: Registry, input: RegisterInput, captured: CapturedLineage, title: string): Promise<boolean> {
  const { lines, missing } = registrationSummary(
    { projectRoot: registry.projectRoot, model: input.model, newModel: !registry.models().some((m) => m.name === input.model), paths: input.paths, semver: input.semver, description: input.description },
    { ...captured, metrics: { ...captured.metrics, ...input.metrics } },
  );
  if (missing.length > 0) {
    // Nothing to register from a file that is gone: no Register button, only the way out.
    await vscode.window.showErrorMessage(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: nothing was registered.`, { modal: true, detail: `${lines.join('\n')}\n\nRestore the file or choose the files again.` });
    return false;
  }
  const choice = await vscode.window.showInformationMessage(title, { modal: true, detail: lines.join('\n') }, 'Register');
  return choice === 'Register';
}

async function pickFiles(patterns: string[]): Promise<string[] | undefined> {
  const glob = patterns.length === 1 ? `**/${patterns[0]}` : `**/{${patterns.join(',')}}`;
  const found = patterns.length ? await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.modelregistry}/**', 500) : [];
  const browse = { label: '$(folder-opened) Browse…', description: 'files or a folder anywhere' };
  const items = [browse, ...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri }))];
  const chosen = await vscode.window.showQuickPick(items, { title: `${TITLE}: artifacts`, placeHolder: 'Choose the weight files of the version', canPickMany: true, ignoreFocusOut: true });
  if (!chosen?.length) return undefined;
  if (chosen.includes(browse)) {
    const uris = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Register' });
    return uris?.map((uri) => uri.fsPath);
  }
  return chosen.flatMap((item) => ('uri' in item ? [item.uri.fsPath] : []));
}
