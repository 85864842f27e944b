import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

/** The built CLI, as users run it. `npm test` builds it first. */
export const MREG = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

export interface MregResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mreg` to completion with a clean environment (no inherited MREG_REGISTRY). */
export function mreg(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): MregResult {
  const { MREG_REGISTRY: _ignored, ...env } = process.env;
  const result = spawnSync(process.execPath, [MREG, ...args], { cwd: options.cwd, env: { ...env, ...options.env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs `mreg` asynchronously, for concurrency tests. */
export function mregAsync(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<MregResult> {
  const { MREG_REGISTRY: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [MREG, ...args], { cwd: options.cwd, env: { ...env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

/** Parses the one JSON document `--json` prints, failing with what was printed if it isn't one. */
export function json<T = unknown>(result: MregResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`expected JSON on stdout (exit ${result.status}); stdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}
