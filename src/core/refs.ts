import { valid as validSemver } from 'semver';
import { aliasNameProblem, modelNameProblem } from './names';
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
}

const MLFLOW_PREFIX = 'models:/';

/**
 * The one parser for every way a person names a version:
 * `name/3`, `name@production`, `name@champion`, `name@v1.2.0`, `name`, and MLflow's
 * `models:/name/3`, `models:/name/Production`, `models:/name@champion`.
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

  const body = input.startsWith(MLFLOW_PREFIX) ? input.slice(MLFLOW_PREFIX.length) : input;
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
  return { model: name, selector };
}

function parseAtSelector(part: string, fail: (why: string) => never): VersionSelector {
  if (part.length === 0) fail("nothing follows '@'; expected a stage, an alias or a semver label");
  const stage = parseStage(part);
  if (stage) return { kind: 'stage', stage };
  if (part === 'latest') return { kind: 'latest', implicit: false };
  const semver = validSemver(part);
  if (semver) return { kind: 'semver', semver };
  const problem = aliasNameProblem(part);
  if (problem) fail(`'${part}' after '@' is not a stage (production, staging, archived, none), a semver label, or a valid alias: ${problem}`);
  return { kind: 'alias', alias: part };
}

function parseSlashSelector(part: string, fail: (why: string) => never): VersionSelector {
  if (part.length === 0) fail("nothing follows '/'; expected a version number");
  // Up to 15 digits: every such number is exact in a JavaScript number.
  if (/^[1-9][0-9]{0,14}$/.test(part)) return { kind: 'number', number: Number(part) };
  if (part === 'latest') return { kind: 'latest', implicit: false };
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
