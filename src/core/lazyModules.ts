import type * as Yaml from 'yaml';
import type * as SimpleGitModule from 'simple-git';

/*
 * Dependencies only some commands need, loaded on first use. The bundler still packs them into the
 * same file but evaluates them only when these functions are first called: evaluated at start-up,
 * yaml and simple-git (with its debug and file-exists helpers) cost a read-only `mreg` call about
 * a fifth of its run time (measured with --cpu-prof on `mreg models`).
 */

let yaml: typeof Yaml | undefined;
let simpleGitModule: typeof SimpleGitModule | undefined;

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
