import type * as Yaml from 'yaml';
import type * as SimpleGitModule from 'simple-git';
import type * as ChildProcess from 'node:child_process';
import type * as Yauzl from 'yauzl';
import type * as CliProgress from 'cli-progress';
import type * as Zlib from 'node:zlib';

/*
 * Dependencies only some commands need, loaded on first use (Node's own child_process, with the
 * net and dgram modules it loads, included: most commands never start a process). The bundler still packs them into the
 * same file but evaluates them only when these functions are first called: evaluated at start-up,
 * yaml and simple-git (with its debug and file-exists helpers) cost a read-only `mreg` call about
 * a fifth of its run time (measured with --cpu-prof on `mreg models`).
 */

let yaml: typeof Yaml | undefined;
let simpleGitModule: typeof SimpleGitModule | undefined;
let childProcess: typeof ChildProcess | undefined;
let yauzl: typeof Yauzl | undefined;
let cliProgress: typeof CliProgress | undefined;
let zlib: typeof Zlib | undefined;

export type YamlParseOptions = Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.ToJSOptions;

/** yaml's `parse`. */
export function parseYaml(text: string, options?: YamlParseOptions): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require the bundler keeps lazy
  yaml ??= require('yaml') as typeof Yaml;
  return yaml.parse(text, options) as unknown;
}

/** simple-git's `simpleGit`. */
export function loadSimpleGit(): typeof SimpleGitModule.simpleGit {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require the bundler keeps lazy
  simpleGitModule ??= require('simple-git') as typeof SimpleGitModule;
  return simpleGitModule.simpleGit;
}

/** node:child_process, for the commands that run git, a webhook or an environment probe. */
export function loadChildProcess(): typeof ChildProcess {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require the bundler keeps lazy
  childProcess ??= require('node:child_process') as typeof ChildProcess;
  return childProcess;
}

/** yauzl (with zlib), for inspecting zip-based weight files. */
export function loadYauzl(): typeof Yauzl {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require the bundler keeps lazy
  yauzl ??= require('yauzl') as typeof Yauzl;
  return yauzl;
}

/** cli-progress (with readline), for progress bars at a terminal. */
export function loadCliProgress(): typeof CliProgress {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require the bundler keeps lazy
  cliProgress ??= require('cli-progress') as typeof CliProgress;
  return cliProgress;
}

/** node:zlib, for weight files pickled through zlib or gzip. */
export function loadZlib(): typeof Zlib {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a require the bundler keeps lazy
  zlib ??= require('node:zlib') as typeof Zlib;
  return zlib;
}
