import { valid as validSemver } from 'semver';
import { RegistryError } from './registryError';
import { parseStage } from './stage';

const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const ALIAS_NAME = /^[a-z][a-z0-9._-]{0,63}$/;

/** Names that a reference already gives a meaning to, so an alias may not take them. */
const RESERVED_ALIASES = new Set(['latest']);

export function modelNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the model name is empty';
  if (name.length > 128) return `the model name is ${name.length} characters long; the limit is 128`;
  if (!MODEL_NAME.test(name)) {
    return `model name '${name}' may use only lowercase letters, digits, '-', '_' and '.', and must start with a letter or digit`;
  }
  return undefined;
}

export function assertModelName(name: string): void {
  const problem = modelNameProblem(name);
  if (problem) throw new RegistryError('INVALID_NAME', `Invalid model name: ${problem}.`);
}

export function aliasNameProblem(alias: string): string | undefined {
  if (alias.length === 0) return 'the alias is empty';
  if (RESERVED_ALIASES.has(alias)) return `'${alias}' is reserved: it always means the newest version`;
  if (parseStage(alias)) return `'${alias}' is a stage name; use promote to change stages`;
  if (validSemver(alias)) return `'${alias}' reads as a semver label; choose a name that does not`;
  if (!ALIAS_NAME.test(alias)) {
    return `alias '${alias}' may use only lowercase letters, digits, '-', '_' and '.', must start with a letter, and be at most 64 characters`;
  }
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
