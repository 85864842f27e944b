import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { json, mreg, type MregResult } from './mregProcess';

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
