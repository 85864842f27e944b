import { userInfo } from 'node:os';
import { gitText } from '../lineage/safeGit';

/**
 * Who is acting: $MREG_ACTOR when set (CI jobs and service accounts name themselves), else git's
 * user.email for the folder, else the operating-system user.
 */
export async function resolveActor(cwd: string): Promise<string> {
  const named = process.env.MREG_ACTOR?.trim();
  if (named) return named;
  try {
    const email = (await gitText(cwd, ['config', '--get', 'user.email'])).trim();
    if (email) return email;
  } catch {
    // no git, or no user.email configured
  }
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
