import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { POLICY_FILE_NAME } from '../../core/governance/policy';
import { RegistryError } from '../../core/registryError';
import { writeFileAtomic } from '../../store/persistence/atomicFile';

/**
 * Whether this clone's user approved the programs `policy.yaml` names (webhook `command`s). A
 * policy file comes with the repository, like git hooks, which git never runs from a clone: its
 * commands run only after `mreg policy trust`, which records the file's SHA-256 here. A changed
 * file needs approval again.
 *
 * The record lives in the registry folder, which its .gitignore keeps out of git; but a repository
 * can commit ignored files too (git add -f), so the record is also bound to the registry folder's
 * identity on this disk (device and inode): a record that arrives with a clone names another folder.
 */
export const POLICY_TRUST_FILE_NAME = 'policy-trust.json';

export type CommandApproval = { allowed: true } | { allowed: false; reason: string };

interface TrustRecord {
  policySha256: string;
  /** `device:inode` of the registry folder the approval was given in. */
  folder: string;
  approvedAt: string;
}

export interface PolicyTrust {
  policyFile: string;
  policySha256: string;
}

/** The policy file's SHA-256, or undefined when the folder has none. */
export function policyFileSha256(registryFolder: string): string | undefined {
  const file = path.join(registryFolder, POLICY_FILE_NAME);
  if (!existsSync(file)) return undefined;
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Records that this user approves the policy file as it is now. */
export function trustPolicy(registryFolder: string, now: Date = new Date()): PolicyTrust {
  const policyFile = path.join(registryFolder, POLICY_FILE_NAME);
  const policySha256 = policyFileSha256(registryFolder);
  if (policySha256 === undefined) throw new RegistryError('NOT_FOUND', `There is no ${policyFile} to approve.`);
  const record: TrustRecord = { policySha256, folder: folderIdentity(registryFolder), approvedAt: now.toISOString() };
  writeFileAtomic(path.join(registryFolder, POLICY_TRUST_FILE_NAME), `${JSON.stringify(record, null, 2)}\n`);
  return { policyFile, policySha256 };
}

/** Whether the policy file, as it is now, was approved in this registry folder. */
export function isPolicyTrusted(registryFolder: string): boolean {
  const policySha256 = policyFileSha256(registryFolder);
  if (policySha256 === undefined) return false;
  let record: Partial<TrustRecord>;
  try {
    record = JSON.parse(readFileSync(path.join(registryFolder, POLICY_TRUST_FILE_NAME), 'utf8')) as Partial<TrustRecord>;
  } catch {
    return false;
  }
  return record.policySha256 === policySha256 && record.folder === folderIdentity(registryFolder);
}

/**
 * Whether webhook commands from the folder's policy may run, and if not, what to do: never in
 * VS Code's Restricted Mode, else only once `mreg policy trust` approved the file as it is.
 */
export function policyCommandApproval(registryFolder: string, options: { restrictedMode?: boolean } = {}): CommandApproval {
  const policyFile = path.join(registryFolder, POLICY_FILE_NAME);
  if (options.restrictedMode) {
    return { allowed: false, reason: `webhook commands from ${policyFile} are not run in Restricted Mode; trust the workspace to allow them` };
  }
  if (isPolicyTrusted(registryFolder)) return { allowed: true };
  const sha256 = policyFileSha256(registryFolder);
  return {
    allowed: false,
    reason: `webhook commands from ${policyFile} were not run: this clone has not approved ${sha256 ? `this version of the file (sha256 ${sha256.slice(0, 12)}…)` : 'it'}. Review its commands, then run: mreg policy trust --registry ${quoteArgument(registryFolder)}`,
  };
}

function folderIdentity(registryFolder: string): string {
  const stats = statSync(registryFolder, { bigint: true });
  return `${stats.dev}:${stats.ino}`;
}

/** A path as one shell argument: bare when it needs no quoting, else in double quotes (POSIX shells, cmd and PowerShell agree). */
function quoteArgument(text: string): string {
  return /^[\w@%+=:,./\\-]+$/.test(text) ? text : `"${text}"`;
}
