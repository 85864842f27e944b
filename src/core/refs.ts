import validSemver from 'semver/functions/valid';
import { aliasSpellingProblem, modelNameProblem } from './names';
import { RegistryError } from './registryError';
import { parseStage, type Stage } from './stage';

/** Which version of a model a reference points at. */
export type VersionSelector =
  | { kind: 'number'; number: number }
  | { kind: 'stage'; stage: Stage }
  | { kind: 'alias'; alias: string }
  | { kind: 'semver'; semver: string }
  /** `implicit` is a bare model name: it works, but deployments should pin something. */
  | { kind: 'latest'; implicit: boolean };

export interface Ref {
  model: string;
  selector: VersionSelector;
  /**
   * A path inside the version (`models:/name/1/MLmodel`, `models:/name@champion/model/data`): the
   * artifact, or the folder of artifacts, to resolve or pull instead of the whole version.
   */
  path?: string;
}

const MLFLOW_PREFIX = 'models:/';

/**
 * The one parser for every way a person names a version:
 * `name/3`, `name@production`, `name@champion`, `name@v1.2.0`, `name`, and MLflow's
 * `models:/name/3`, `models:/name/Production`, `models:/name/latest`, `models:/name@champion`,
 * each optionally followed by a path inside the version (`models:/name/3/MLmodel`), as MLflow's
 * `ModelsArtifactRepository.split_models_uri` reads them. `latest` and stages are read in any case
 * (MLflow's `_parse_model_uri` does); names and aliases keep their case.
 */
export function parseRef(text: string): Ref {
  const input = text.trim();
  const fail = (why: string): never => {
    throw new RegistryError(
      'INVALID_REF',
      `Invalid reference '${text}': ${why}. Write name/3, name@production, name@<alias>, name@v1.2.0 or models:/name/3.`,
    );
  };
  if (input.length === 0) fail('it is empty');

  const mlflow = input.startsWith(MLFLOW_PREFIX);
  let body = mlflow ? input.slice(MLFLOW_PREFIX.length) : input;
  let artifactPath: string | undefined;
  if (mlflow) ({ body, artifactPath } = splitArtifactPath(body, fail));
  const at = body.indexOf('@');
  const slash = body.indexOf('/');
  let name = body;
  let selector: VersionSelector = { kind: 'latest', implicit: true };

  if (at >= 0 && (slash < 0 || at < slash)) {
    name = body.slice(0, at);
    selector = parseAtSelector(body.slice(at + 1), fail);
  } else if (slash >= 0) {
    name = body.slice(0, slash);
    selector = parseSlashSelector(body.slice(slash + 1), fail);
  }

  const nameProblem = modelNameProblem(name);
  if (nameProblem) fail(nameProblem);
  return artifactPath === undefined ? { model: name, selector } : { model: name, selector, path: artifactPath };
}

/**
 * `name/<ref>/<path…>` or `name@alias/<path…>` → the reference and the path. As in MLflow, the cut is
 * after the first segment when it holds an '@', else after the second; a trailing '/' is dropped.
 */
function splitArtifactPath(body: string, fail: (why: string) => never): { body: string; artifactPath?: string } {
  const trimmed = body.replace(/\/+$/, '');
  const segments = trimmed.split('/');
  const cut = segments[0].includes('@') ? 1 : 2;
  if (segments.length <= cut) return { body: trimmed.length > 0 ? trimmed : body };
  const artifactPath = segments.slice(cut).join('/');
  if (segments.slice(cut).some((segment) => segment === '' || segment === '.' || segment === '..')) {
    fail(`the path '${artifactPath}' inside the version has an empty, '.' or '..' part`);
  }
  return { body: segments.slice(0, cut).join('/'), artifactPath };
}

function parseAtSelector(part: string, fail: (why: string) => never): VersionSelector {
  if (part.length === 0) fail("nothing follows '@'; expected a stage, an alias or a semver label");
  const stage = parseStage(part);
  if (stage) return { kind: 'stage', stage };
  if (part.toLowerCase() === 'latest') return { kind: 'latest', implicit: false };
  const semver = validSemver(part);
  if (semver) return { kind: 'semver', semver };
  const problem = aliasSpellingProblem(part);
  if (problem) fail(`'${part}' after '@' is not a stage (production, staging, archived, none), a semver label, or a valid alias: ${problem}`);
  return { kind: 'alias', alias: part };
}

function parseSlashSelector(part: string, fail: (why: string) => never): VersionSelector {
  if (part.length === 0) fail("nothing follows '/'; expected a version number");
  // Up to 15 digits: every such number is exact in a JavaScript number.
  if (/^[1-9][0-9]{0,14}$/.test(part)) return { kind: 'number', number: Number(part) };
  if (part.toLowerCase() === 'latest') return { kind: 'latest', implicit: false };
  // MLflow writes stages after a slash: models:/name/Production.
  const stage = parseStage(part);
  if (stage) return { kind: 'stage', stage };
  return fail(`version '${part}' after '/' must be a whole number from 1 (at most 15 digits), 'latest' or a stage`);
}

export function formatRef(model: string, number: number): string {
  return `${model}/${number}`;
}

export function describeSelector(selector: VersionSelector): string {
  switch (selector.kind) {
    case 'number':
      return `version ${selector.number}`;
    case 'stage':
      return `stage ${selector.stage}`;
    case 'alias':
      return `alias '${selector.alias}'`;
    case 'semver':
      return `semver label ${selector.semver}`;
    case 'latest':
      return 'the latest version';
  }
}
