import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../../core/lazyModules';
import { RegistryError } from '../../core/registryError';

/**
 * The `retention:` section of `.modelregistry/policy.yaml` (the file's other sections belong to
 * promotion gates and are not read here):
 *
 *   retention:
 *     keepLast: 10                 # per model, the newest N versions always stay
 *     deleteArchivedAfterDays: 90  # Archived this long ago → deleted
 *     blobGraceHours: 24           # unreferenced blobs are removed only after this long
 *
 * Whatever the rules, a version in Staging or Production or holding an alias always stays, and a
 * version that ever reached Staging or Production is never deleted for being beyond the last N.
 */
export interface RetentionPolicy {
  keepLast?: number;
  deleteArchivedAfterDays?: number;
  blobGraceHours: number;
}

export const DEFAULT_BLOB_GRACE_HOURS = 24;
export const POLICY_FILE = 'policy.yaml';

const RULES: Record<keyof RetentionPolicy, { minimum: number; integer: boolean; what: string }> = {
  keepLast: { minimum: 1, integer: true, what: 'a whole number of versions, at least 1' },
  deleteArchivedAfterDays: { minimum: 0, integer: false, what: 'a number of days, 0 or more' },
  blobGraceHours: { minimum: 0, integer: false, what: 'a number of hours, 0 or more' },
};

/** Reads the retention section from the registry folder's policy.yaml; defaults when there is none. */
export function loadRetentionPolicy(registryFolder: string): RetentionPolicy {
  const file = path.join(registryFolder, POLICY_FILE);
  if (!existsSync(file)) return { blobGraceHours: DEFAULT_BLOB_GRACE_HOURS };
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new RegistryError('INVALID_INPUT', `${file} is not valid YAML: ${(error as Error).message}`);
  }
  const section = document !== null && typeof document === 'object' ? (document as Record<string, unknown>).retention : undefined;
  return checkRetentionPolicy(section ?? {}, `the retention section of ${file}`);
}

/** Validates retention settings from a file or from options; says which one is wrong and how. */
export function checkRetentionPolicy(section: unknown, where: string): RetentionPolicy {
  if (section === null || typeof section !== 'object' || Array.isArray(section)) {
    throw new RegistryError('INVALID_INPUT', `${where} must be a mapping with ${Object.keys(RULES).join(', ')}.`);
  }
  const policy: RetentionPolicy = { blobGraceHours: DEFAULT_BLOB_GRACE_HOURS };
  for (const [key, value] of Object.entries(section)) {
    const rule = RULES[key as keyof RetentionPolicy] as (typeof RULES)[keyof RetentionPolicy] | undefined;
    if (!rule) throw new RegistryError('INVALID_INPUT', `Unknown setting '${key}' in ${where}; the settings are ${Object.keys(RULES).join(', ')}.`);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < rule.minimum || (rule.integer && !Number.isInteger(value))) {
      throw new RegistryError('INVALID_INPUT', `'${key}' in ${where} must be ${rule.what}, not ${JSON.stringify(value)}.`);
    }
    policy[key as keyof RetentionPolicy] = value;
  }
  return policy;
}
