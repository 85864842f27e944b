import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { GitLineage } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { readRepositoryConfig, safeGit, streamGit } from './safeGit';

/** Lists of changed files are cut here; the totals say how many there were. */
const LISTED_FILES = 1000;

export interface GitCaptureOptions {
  /** Folders left out of the dirty state (the registry folder, which registering itself changes). */
  ignore?: string[];
}

/**
 * Code lineage of the project: commit, branch, remote, the commit's author, date and subject, the
 * dirty state (changed and untracked files, and the sha256 of `git diff HEAD --full-index`) and how far the
 * branch is ahead of or behind its upstream. Null outside a git repository or before its first
 * commit. Git runs with every program-running setting of the repository blanked (see safeGit).
 */
export async function captureGitLineage(projectRoot: string, options: GitCaptureOptions = {}): Promise<GitLineage | null> {
  if (!mayBeInRepository(projectRoot)) return null;
  let top: string;
  try {
    top = (await safeGit(projectRoot).raw(['rev-parse', '--show-toplevel'])).trim();
  } catch {
    return null;
  }
  if (!top) return null;
  const config = await readRepositoryConfig(top);
  const git = safeGit(top, config.programOverrides);
  const pathspec = ['--', '.', ...ignoredPathspecs(top, options.ignore ?? [])];
  const head = await git.raw(['cat-file', 'commit', 'HEAD']).catch(() => undefined);
  if (head === undefined) return null;
  let status: string;
  let commit: string;
  let diffSha256: string;
  try {
    [status, commit, diffSha256] = await Promise.all([
      git.raw(['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal', '--ignore-submodules=all', ...pathspec]),
      git.raw(['rev-parse', '--verify', 'HEAD']),
      hashDiff(top, config.programOverrides, pathspec),
    ]);
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new RegistryError('IO', `git could not report the state of ${top}: ${(error as Error).message.trim().split('\n')[0]}`);
  }
  const parsed = parseStatus(status);
  const author = parseCommitObject(head);
  const lineage: GitLineage = { commit: commit.trim() };
  if (parsed.branch) lineage.branch = parsed.branch;
  const remote = remoteUrl(config.entries, parsed.branch);
  if (remote) lineage.remote = remote;
  Object.assign(lineage, author);
  if (parsed.upstream) {
    lineage.upstream = parsed.upstream;
    if (parsed.ahead !== undefined) lineage.ahead = parsed.ahead;
    if (parsed.behind !== undefined) lineage.behind = parsed.behind;
  }
  const dirty = parsed.modified.length > 0 || parsed.untracked.length > 0;
  lineage.dirty = dirty;
  if (dirty) {
    lineage.modified = parsed.modified.slice(0, LISTED_FILES);
    lineage.untracked = parsed.untracked.slice(0, LISTED_FILES);
    if (parsed.modified.length > LISTED_FILES) lineage.modifiedTotal = parsed.modified.length;
    if (parsed.untracked.length > LISTED_FILES) lineage.untrackedTotal = parsed.untracked.length;
    lineage.diffSha256 = diffSha256;
  }
  return lineage;
}

/**
 * Whether a `.git` lies in the folder or above it (or GIT_DIR points somewhere): outside any
 * repository, as in CI scratch folders, registration then spawns no git at all.
 */
function mayBeInRepository(dir: string): boolean {
  if (process.env.GIT_DIR) return true;
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return true;
    if (path.dirname(current) === current) return false;
  }
}

/** Refuses a dirty working tree, naming what is changed, for `--require-clean`. */
export function assertCleanTree(git: GitLineage | null): void {
  if (!git?.dirty) return;
  const files = [...(git.modified ?? []).map((file) => `modified: ${file}`), ...(git.untracked ?? []).map((file) => `untracked: ${file}`)];
  const shown = files.slice(0, 20);
  const total = (git.modifiedTotal ?? git.modified?.length ?? 0) + (git.untrackedTotal ?? git.untracked?.length ?? 0);
  const more = total - shown.length;
  throw new RegistryError(
    'DIRTY_TREE',
    `The working tree has uncommitted changes, and a clean tree is required:\n  ${shown.join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}\nCommit or stash them (or ignore them in .gitignore), then register again.`,
  );
}

/** `https://user:token@host/repo.git` → `https://host/repo.git`; an ssh login name is kept, a password never. */
export function withoutCredentials(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*@)?(.*)$/i.exec(url);
  if (!match) return url;
  const [, scheme, userInfo, rest] = match;
  if (!userInfo) return url;
  if (/^ssh:|^git\+ssh:/i.test(scheme)) {
    const user = userInfo.slice(0, -1).split(':')[0];
    return `${scheme}${user}@${rest}`;
  }
  return `${scheme}${rest}`;
}

function ignoredPathspecs(top: string, ignore: string[]): string[] {
  const specs: string[] = [];
  for (const folder of ignore) {
    const relative = path.relative(top, path.resolve(folder));
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) continue;
    specs.push(`:(exclude,literal)${relative.split(path.sep).join('/')}`);
  }
  return specs;
}

interface ParsedStatus {
  branch?: string;
  upstream?: string;
  ahead?: number;
  behind?: number;
  modified: string[];
  untracked: string[];
}

/** `git status --porcelain=v2 --branch -z`: headers, then one entry per changed path (renames carry their origin as a second field). */
export function parseStatus(text: string): ParsedStatus {
  const status: ParsedStatus = { modified: [], untracked: [] };
  const fields = text.split('\0');
  for (let index = 0; index < fields.length; index++) {
    const field = fields[index];
    if (field.startsWith('# branch.head ')) {
      const head = field.slice('# branch.head '.length);
      if (head !== '(detached)') status.branch = head;
    } else if (field.startsWith('# branch.upstream ')) {
      status.upstream = field.slice('# branch.upstream '.length);
    } else if (field.startsWith('# branch.ab ')) {
      const match = /^\+(\d+) -(\d+)$/.exec(field.slice('# branch.ab '.length));
      if (match) {
        status.ahead = Number(match[1]);
        status.behind = Number(match[2]);
      }
    } else if (field.startsWith('1 ')) {
      status.modified.push(field.split(' ').slice(8).join(' '));
    } else if (field.startsWith('2 ')) {
      status.modified.push(field.split(' ').slice(9).join(' '));
      index += 1; // the path it was renamed from
    } else if (field.startsWith('u ')) {
      status.modified.push(field.split(' ').slice(10).join(' '));
    } else if (field.startsWith('? ')) {
      status.untracked.push(field.slice(2));
    }
  }
  return status;
}

/** Author, author date (ISO 8601 with the author's offset) and subject from the raw commit object. */
function parseCommitObject(text: string): Pick<GitLineage, 'author' | 'date' | 'subject'> {
  const blank = text.indexOf('\n\n');
  const headers = (blank < 0 ? text : text.slice(0, blank)).split('\n');
  const message = blank < 0 ? '' : text.slice(blank + 2);
  const result: Pick<GitLineage, 'author' | 'date' | 'subject'> = {};
  const authorLine = headers.find((line) => line.startsWith('author '));
  const match = authorLine ? /^author (.*) (\d+) ([+-])(\d\d)(\d\d)$/.exec(authorLine) : null;
  if (match) {
    result.author = match[1];
    result.date = isoWithOffset(Number(match[2]), match[3], Number(match[4]), Number(match[5]));
  }
  const subject = message.split('\n\n')[0].replace(/\s*\n\s*/g, ' ').trim();
  if (subject) result.subject = subject;
  return result;
}

function isoWithOffset(seconds: number, sign: string, hours: number, minutes: number): string {
  const offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
  return `${local}${sign}${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** The remote the branch tracks, else `origin`, else the first one configured. */
function remoteUrl(entries: { key: string; value: string }[], branch: string | undefined): string | undefined {
  const urls = new Map<string, string>();
  let tracked: string | undefined;
  for (const { key, value } of entries) {
    const remote = /^remote\.(.+)\.url$/.exec(key);
    if (remote && !urls.has(remote[1])) urls.set(remote[1], value);
    if (branch && key === `branch.${branch}.remote`) tracked = value;
  }
  const url = (tracked && urls.get(tracked)) ?? urls.get('origin') ?? urls.values().next().value;
  return url ? withoutCredentials(url) : undefined;
}

/**
 * sha256 of the bytes of `git diff HEAD --full-index`: text changes as patches, a binary change by
 * the full blob ids of both sides. `--binary` would make git compute a binary delta, which for a
 * changed 256 MiB weight file took over a minute and 1.5 GB; the blob id costs one hash. The flags
 * pin what user config would otherwise change (colour, prefixes, renames, external and
 * text-converting drivers), so the hash depends on the change alone.
 */
async function hashDiff(top: string, overrides: string[], pathspec: string[]): Promise<string> {
  const hash = createHash('sha256');
  const args = ['diff', 'HEAD', '--full-index', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', '--src-prefix=a/', '--dst-prefix=b/', '--ignore-submodules=all', '--diff-algorithm=myers'];
  try {
    await streamGit(top, overrides, [...args, ...pathspec], (chunk) => hash.update(chunk));
  } catch (error) {
    throw new RegistryError('IO', `Could not read the uncommitted changes in ${top} (${(error as Error).message}). Commit or stash them, or register from a clean tree.`);
  }
  return hash.digest('hex');
}
