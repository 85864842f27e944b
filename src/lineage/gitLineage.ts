import type { GitLineage } from '../core/manifest';
import { safeGit } from './safeGit';

/** The commit and branch the project is on, or null outside a git repository (or before its first commit). */
export async function captureGitLineage(projectRoot: string): Promise<GitLineage | null> {
  try {
    // One git process for both answers: registration waits on it.
    const [commit, branch] = (await safeGit(projectRoot).raw(['rev-parse', 'HEAD', '--abbrev-ref', 'HEAD'])).trim().split('\n');
    if (!/^[0-9a-f]{40,64}$/.test(commit ?? '')) return null;
    return branch && branch !== 'HEAD' ? { commit, branch } : { commit };
  } catch {
    return null;
  }
}
