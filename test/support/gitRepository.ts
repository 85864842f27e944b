import { execFileSync } from 'node:child_process';
import { writeFiles } from './tempFolders';

/** Runs git in `cwd` as a person would (the user's configuration, no hardening), returning stdout. */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_AUTHOR_DATE: '2024-03-01T12:00:00+01:00', GIT_COMMITTER_DATE: '2024-03-01T12:00:00+01:00' } });
}

/** A git repository in `dir` holding `files` in one commit on branch main. */
export function gitRepository(dir: string, files: Record<string, string | Buffer>, message = 'Train the first model'): string {
  git(dir, 'init', '--quiet', '--initial-branch=main');
  git(dir, 'config', 'user.name', 'Ada Lovelace');
  git(dir, 'config', 'user.email', 'ada@example.com');
  git(dir, 'config', 'commit.gpgsign', 'false');
  writeFiles(dir, files);
  git(dir, 'add', '--all');
  git(dir, 'commit', '--quiet', '--message', message);
  return dir;
}
