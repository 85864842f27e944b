import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { UploadRecord } from '../../src/store/shared/uploadJournal';
import { json, mreg, type MregResult } from './mregProcess';

/** Helpers of the tests that run several `mreg` clients against one shared store. */

export interface VersionRow {
  id: string;
  number: number;
  fingerprint: string;
}

export function ok(result: MregResult, what: string): MregResult {
  assert.equal(result.status, 0, `${what} failed (exit ${result.status}): ${result.stderr}`);
  return result;
}

/** A client: its own project folder and registry, syncing with `store`. */
export function makeClient(root: string, name: string, store: string, env?: NodeJS.ProcessEnv): string {
  const cwd = path.join(root, name);
  mkdirSync(cwd, { recursive: true });
  ok(mreg(['init', '--store', store], { cwd, env }), `init ${name}`);
  return cwd;
}

/** Everything a registry holds that must be the same on every client: models, and each version's id, number and content. */
export function registryContents(cwd: string): Record<string, VersionRow[]> {
  const models = json<{ name: string }[]>(ok(mreg(['models', '--json'], { cwd }), 'models'));
  const contents: Record<string, VersionRow[]> = {};
  for (const model of models) {
    const versions = json<VersionRow[]>(ok(mreg(['versions', model.name, '--json'], { cwd }), 'versions'));
    contents[model.name] = versions.map(({ id, number, fingerprint }) => ({ id, number, fingerprint })).sort((a, b) => a.number - b.number);
  }
  return contents;
}

/** The uploads a client has recorded as unfinished. */
export function unfinishedUploads(cwd: string): UploadRecord[] {
  const dir = path.join(cwd, '.modelregistry', 'sync', 'uploads');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^[0-9a-f]{32}\.json$/.test(name))
    .map((name) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as UploadRecord);
}

/** A running `mreg`: its exit status and output once it ends. */
export function running(child: ChildProcess): { exited: () => boolean; result: Promise<MregResult> } {
  let stdout = '';
  let stderr = '';
  let done = false;
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.on('exit', () => (done = true));
  return { exited: () => done, result: new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr }))) };
}

/** Polls until `ready` holds; false when the child ended first. */
export async function whileRunning(process: { exited: () => boolean }, ready: () => boolean): Promise<boolean> {
  for (;;) {
    if (ready()) return !process.exited();
    if (process.exited()) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Waits until `ready` holds, then SIGKILLs the child; true when it was killed before it finished by itself. */
export async function killWhen(child: ChildProcess, ready: () => boolean): Promise<boolean> {
  const process = running(child);
  const killed = (await whileRunning(process, ready)) && child.kill('SIGKILL');
  await process.result;
  return killed;
}
