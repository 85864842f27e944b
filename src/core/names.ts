import validSemver from 'semver/functions/valid';
import { RegistryError } from './registryError';
import { parseStage } from './stage';

/**
 * Model names are case-preserving, as MLflow's are (`models:/AdsModel1/123` in its docs): letters of
 * either case, digits, '-', '_' and '.'. Two names that differ only in case are refused at
 * registration (see `caseClashOf`), since case-insensitive file systems and people would confuse them.
 */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/**
 * MLflow's alias rule (`_validate_model_alias_name`: `^[\w\-]*$`, at most 255 characters), with '.'
 * kept from ours; a leading letter, digit or '_' so an alias never reads as an option or a path.
 */
const ALIAS_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,254}$/;
/** MLflow reserves `v<digits>` (a version alias) in any case. */
const VERSION_ALIAS = /^[vV][0-9]+$/;

export function modelNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the model name is empty';
  if (name.length > 128) return `the model name is ${name.length} characters long; the limit is 128`;
  if (!MODEL_NAME.test(name)) {
    return `model name '${name}' may use only letters, digits, '-', '_' and '.', and must start with a letter or digit`;
  }
  return undefined;
}

export function assertModelName(name: string): void {
  const problem = modelNameProblem(name);
  if (problem) throw new RegistryError('INVALID_NAME', `Invalid model name: ${problem}.`);
}

/**
 * The registered model whose name equals `name` but for case (`Fraud` for `fraud`), which a new
 * model may not take; undefined when there is none or the name is registered as spelled.
 */
export function caseClashOf(name: string, registered: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  for (const existing of registered) {
    if (existing === name) return undefined;
    if (existing.toLowerCase() === lower) return existing;
  }
  return undefined;
}

/** Throws when a new model `name` would differ only in case from a registered one. */
export function assertNoCaseClash(name: string, registered: Iterable<string>): void {
  const clash = caseClashOf(name, [...registered]);
  if (clash) {
    throw new RegistryError(
      'INVALID_NAME',
      `Model '${clash}' is already registered; '${name}' differs from it only in case, which case-insensitive file systems and people would confuse. Register as '${clash}', or choose another name.`,
    );
  }
}

/**
 * What is wrong with an alias as written after '@' in a reference: only its characters, so an alias
 * set before a name became reserved (`v1` before MLflow's rule was followed) still resolves.
 */
export function aliasSpellingProblem(alias: string): string | undefined {
  if (alias.length === 0) return 'the alias is empty';
  return ALIAS_NAME.test(alias) ? undefined : aliasCharactersProblem(alias);
}

function aliasCharactersProblem(alias: string): string {
  return `alias '${alias}' may use only letters, digits, '-', '_' and '.', must start with a letter, digit or '_', and be at most 255 characters`;
}

/** What is wrong with a new alias: its characters, and names a reference already gives a meaning to. */
export function aliasNameProblem(alias: string): string | undefined {
  if (alias.length === 0) return 'the alias is empty';
  if (alias.toLowerCase() === 'latest') return `'${alias}' is reserved (in any case): it always means the newest version`;
  if (parseStage(alias)) return `'${alias}' is a stage name; use promote to change stages`;
  if (VERSION_ALIAS.test(alias)) return `'${alias}' is reserved: MLflow reads v<number> as a version`;
  if (validSemver(alias)) return `'${alias}' reads as a semver label; choose a name that does not`;
  if (!ALIAS_NAME.test(alias)) return aliasCharactersProblem(alias);
  return undefined;
}

export function assertAliasName(alias: string): void {
  const problem = aliasNameProblem(alias);
  if (problem) throw new RegistryError('INVALID_NAME', `Invalid alias: ${problem}.`);
}

/** Returns the canonical spelling (no leading `v`) or throws. */
export function normalizeSemver(label: string): string {
  const normalized = validSemver(label);
  if (!normalized) {
    throw new RegistryError('INVALID_INPUT', `Invalid semver label '${label}': expected MAJOR.MINOR.PATCH, e.g. 1.2.0 or 2.0.0-rc.1.`);
  }
  return normalized;
}

/** Keys of metrics, params and tags: `k=v` on the command line, so no `=`; printable and bounded. */
export function assertKey(kind: 'metric' | 'param' | 'tag', key: string): void {
  if (key.length === 0 || key.length > 250 || key.includes('=') || /[\u0000-\u001f]/.test(key)) {
    throw new RegistryError('INVALID_INPUT', `Invalid ${kind} name '${key}': use 1–250 printable characters without '='.`);
  }
}
