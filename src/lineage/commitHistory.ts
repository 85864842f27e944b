import type { CommitsBetween } from '../core/versionComparison';
import { safeGit } from './safeGit';

/** Subjects listed at most; the count is always exact. */
const MAX_SUBJECTS = 50;

/**
 * The commits that lead from one version's commit to another's, from the project's own git history.
 * Null when there is no repository or either commit is unknown to it (a shallow clone, another
 * machine's branch): the comparison then just shows the two commit ids.
 */
export async function commitsBetween(projectRoot: string, from: string, to: string): Promise<CommitsBetween | null> {
  const commit = /^[0-9a-f]{7,64}$/;
  if (!commit.test(from) || !commit.test(to)) return null;
  try {
    const git = safeGit(projectRoot);
    const range = `${from}..${to}`;
    const count = Number((await git.raw(['rev-list', '--count', range])).trim());
    const log = count === 0 ? '' : await git.raw(['log', '--format=%s', `--max-count=${MAX_SUBJECTS}`, range]);
    return { count, subjects: log.split('\n').filter(Boolean) };
  } catch {
    return null;
  }
}
