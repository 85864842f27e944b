import { loadChildProcess } from '../core/lazyModules';
import type { SimpleGit, SimpleGitOptions } from 'simple-git';
import { loadSimpleGit } from '../core/lazyModules';

/**
 * Git in an untrusted folder can run programs through hooks, `core.fsmonitor`, an ssh command or a
 * transport helper. Every git call of ours goes through this one factory, which switches them off.
 */
const HARDENED_CONFIG = ['core.fsmonitor=false', 'core.hooksPath=/dev/null', 'core.sshCommand=false', 'protocol.allow=never'];

/**
 * simple-git refuses `-c` settings of program-running keys unless told the override is intended.
 * The only `-c` settings we pass are the ones above and the blanking overrides of
 * `repositoryProgramOverrides`, all of which switch programs off.
 */
const OVERRIDES_INTENDED: SimpleGitOptions['unsafe'] = {
  allowUnsafeFsMonitor: true,
  allowUnsafeHooksPath: true,
  allowUnsafeSshCommand: true,
  allowUnsafeProtocolOverride: true,
  allowUnsafeFilter: true,
  allowUnsafeDiffExternal: true,
  allowUnsafeDiffTextConv: true,
  allowUnsafeMergeDriver: true,
  allowUnsafePager: true,
  allowUnsafeEditor: true,
  allowUnsafeAskPass: true,
  allowUnsafeGitProxy: true,
  allowUnsafeGpgProgram: true,
  allowUnsafeCredentialHelper: true,
  allowUnsafeAlias: true,
  allowUnsafeCommandBinaries: true,
  allowUnsafePack: true,
  allowUnsafeSubmodule: true,
};

/** A git that stops answering for this long is given up on: capture must never hang registration. */
const SILENCE_LIMIT_MS = 60_000;

export function safeGit(baseDir: string, extraConfig: readonly string[] = []): SimpleGit {
  return loadSimpleGit()({
    baseDir,
    config: [...HARDENED_CONFIG, ...extraConfig],
    unsafe: OVERRIDES_INTENDED,
    timeout: { block: SILENCE_LIMIT_MS },
  });
}

/**
 * Keys through which a repository's own config names a program for git to run: content filters
 * (run by status and diff on changed files), diff drivers, pagers, editors, credential helpers,
 * signature programs, proxies. Keys are as `git config --list` prints them (section and name in
 * lower case).
 */
const PROGRAM_KEY = new RegExp(
  [
    '^filter\\..+\\.(clean|smudge|process)$',
    '^diff\\..+\\.(textconv|command)$',
    '^diff\\.external$',
    '^merge\\..+\\.driver$',
    '^core\\.(pager|editor|askpass|gitproxy|alternaterefscommand)$',
    '^pager\\.',
    '^sequence\\.editor$',
    '^gpg\\.(.+\\.)?program$',
    '^credential\\.(.+\\.)?helper$',
    '^remote\\..+\\.(uploadpack|receivepack|proxy)$',
    '^uploadpack\\.packobjectshook$',
    '^submodule\\..+\\.update$',
    '^alias\\.',
  ].join('|'),
);

export interface RepositoryConfig {
  /** Every setting git sees, with the scope it comes from (system, global, local, worktree, command). */
  entries: { scope: string; key: string; value: string }[];
  /** `-c key=` settings that blank every program the repository's own config names. */
  programOverrides: string[];
}

/**
 * Reads the config git will use in `dir` (reading config runs nothing) and lists the overrides
 * that blank the programs the repository itself names. The user's own (global, system) settings
 * are theirs to trust, so a git-lfs filter installed by the user keeps working.
 */
export async function readRepositoryConfig(dir: string): Promise<RepositoryConfig> {
  const text = await safeGit(dir).raw(['config', '--list', '--show-scope', '-z']);
  const parts = text.split('\0');
  const entries: RepositoryConfig['entries'] = [];
  for (let index = 0; index + 1 < parts.length; index += 2) {
    const [key, ...value] = parts[index + 1].split('\n');
    entries.push({ scope: parts[index], key, value: value.join('\n') });
  }
  const blanked = new Set<string>();
  for (const entry of entries) {
    if ((entry.scope === 'local' || entry.scope === 'worktree') && PROGRAM_KEY.test(entry.key)) blanked.add(entry.key);
  }
  return { entries, programOverrides: [...blanked].map((key) => `${key}=`) };
}

/**
 * Runs git with the same hardening and hands each chunk of its stdout to `onChunk` as raw bytes.
 * simple-git collects the whole output as text, which is neither binary-safe nor bounded in memory
 * (a diff of a changed weight file can be gigabytes).
 */
export function streamGit(dir: string, extraConfig: readonly string[], args: readonly string[], onChunk: (chunk: Buffer) => void): Promise<void> {
  const config = [...HARDENED_CONFIG, ...extraConfig].flatMap((setting) => ['-c', setting]);
  return new Promise((resolve, reject) => {
    const child = loadChildProcess().spawn('git', [...config, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' } });
    let stderr = '';
    let timer = setTimeout(() => child.kill('SIGKILL'), SILENCE_LIMIT_MS);
    const alive = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), SILENCE_LIMIT_MS);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      alive();
      onChunk(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString();
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`git ${args[0]} ${signal ? `was stopped (${signal})` : `exited with ${code}`}: ${stderr.trim()}`));
    });
  });
}

/**
 * Runs git with the same hardening and returns its output as text: for short answers (a config
 * value), without loading simple-git, which costs a command that needs nothing else from git
 * ~25 ms of start-up.
 */
export async function gitText(dir: string, args: readonly string[]): Promise<string> {
  const chunks: Buffer[] = [];
  await streamGit(dir, [], args, (chunk) => chunks.push(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
