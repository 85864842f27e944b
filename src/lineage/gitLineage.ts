import type { GitLineage } from '../core/manifest';
import { safeGit } from './safeGit';

/** The commit and branch the project is on, or null outside a git repository. */
export async function captureGitLineage(projectRoot: string): Promise<GitLineage | null> {
  const git = safeGit(projectRoot);
  try {
    if (!(await git.checkIsRepo())) return null;
    const commit = (await git.raw(['rev-parse', '--verify', '--quiet', 'HEAD'])).trim();
    if (!commit) return null;
    const branch = (await git.raw(['rev-parse', '--abbrev-ref', 'HEAD'])).trim();
    return branch && branch !== 'HEAD' ? { commit, branch } : { commit };
  } catch {
    return null;
  }
}
