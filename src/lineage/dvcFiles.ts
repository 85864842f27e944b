import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { DataLineage, ParamValue } from '../core/manifest';
import { RegistryError } from '../core/registryError';
import { dvcHashName } from './dvcMd5';
import { withoutCredentials } from './gitLineage';
import { isRecord, projectRelative, readStructuredFile } from './projectFiles';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

const URI = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Whether a `--data` argument names a DVC file, whose recorded hashes are taken instead of hashing. */
export function isDvcFile(file: string): boolean {
  const name = path.basename(file);
  return name === 'dvc.lock' || (name.endsWith('.dvc') && name.length > 4);
}

/**
 * The data a DVC file records: a `.dvc` file's outs, or every stage's deps and outs in `dvc.lock`,
 * with DVC's md5 and sizes (a folder's md5 ends in `.dir`), so nothing is hashed again.
 */
export function readDvcData(projectRoot: string, file: string): DataLineage[] {
  const document = readStructuredFile(file);
  if (!isRecord(document)) throw new RegistryError('INVALID_INPUT', `${file} is not a DVC file: expected a YAML mapping.`);
  const source = projectRelative(projectRoot, file);
  const base = path.dirname(path.resolve(projectRoot, file));
  const data: DataLineage[] = [];
  if (path.basename(file) === 'dvc.lock') {
    const stages = isRecord(document.stages) ? document.stages : {};
    for (const [stage, body] of Object.entries(stages)) {
      if (!isRecord(body)) continue;
      for (const role of ['deps', 'outs'] as const) {
        for (const entry of asArray(body[role])) {
          const item = dvcEntry(projectRoot, base, entry, source);
          if (item) data.push({ ...item, stage, role: role === 'deps' ? 'dep' : 'out' });
        }
      }
    }
  } else {
    for (const role of ['deps', 'outs'] as const) {
      for (const entry of asArray(document[role])) {
        const item = dvcEntry(projectRoot, base, entry, source);
        if (item) data.push({ ...item, role: role === 'deps' ? 'dep' : 'out' });
      }
    }
  }
  return data;
}

/** DVC params recorded in dvc.lock: `stages.<stage>.params.<file>.<key>`, keys already dotted. */
export function readDvcParams(file: string): Record<string, ParamValue> {
  const document = readStructuredFile(file);
  const params = userKeyedRecord<ParamValue>();
  const stages = isRecord(document) && isRecord(document.stages) ? document.stages : {};
  for (const body of Object.values(stages)) {
    if (!isRecord(body) || !isRecord(body.params)) continue;
    for (const values of Object.values(body.params)) {
      if (isRecord(values)) flattenInto(params, values, '');
    }
  }
  return params;
}

/** The metrics files a `dvc.yaml` declares, top-level and per stage, relative to the project. */
export function dvcMetricsFiles(projectRoot: string, dvcYaml: string): string[] {
  const document = readStructuredFile(dvcYaml);
  if (!isRecord(document)) return [];
  const base = path.dirname(path.resolve(projectRoot, dvcYaml));
  const declared: unknown[] = [...asArray(document.metrics)];
  if (isRecord(document.stages)) {
    for (const body of Object.values(document.stages)) if (isRecord(body)) declared.push(...asArray(body.metrics));
  }
  const files = new Set<string>();
  for (const item of declared) {
    // An entry is a path, or a one-key mapping { path: { cache: false } }.
    const name = typeof item === 'string' ? item : isRecord(item) ? Object.keys(item)[0] : undefined;
    if (name && !name.includes('${')) files.add(projectRelative(projectRoot, path.join(base, name)));
  }
  return [...files];
}

/** dvc.lock at the project root and `.dvc` files in the root and the folders just below it. */
export function findDvcFiles(projectRoot: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const file = path.join(dir, entry.name);
      if (entry.isFile() && (entry.name.endsWith('.dvc') || (depth === 0 && entry.name === 'dvc.lock'))) found.push(file);
      else if (entry.isDirectory() && depth === 0 && !entry.name.startsWith('.') && entry.name !== 'node_modules') visit(file, 1);
    }
  };
  visit(projectRoot, 0);
  return found;
}

function dvcEntry(projectRoot: string, base: string, entry: unknown, source: string): DataLineage | undefined {
  if (!isRecord(entry) || typeof entry.path !== 'string') return undefined;
  const md5 = typeof entry.md5 === 'string' ? entry.md5 : undefined;
  const imported = importedFrom(entry);
  let item: DataLineage;
  if (imported) {
    // `dvc import URL PATH`: the data lives in another repository at a pinned revision; the path is
    // inside that repository, never a local one.
    item = { uri: imported.url, kind: 'uri', repo: { ...imported, path: entry.path } };
  } else if (URI.test(entry.path)) {
    item = { uri: entry.path, kind: 'uri' };
  } else {
    item = { uri: projectRelative(projectRoot, path.join(base, entry.path)), kind: md5?.endsWith('.dir') ? 'folder' : 'file' };
  }
  if (md5) item.md5 = md5;
  if (md5 && !imported && !URI.test(entry.path)) item.hash = dvcHashName(entry);
  if (typeof entry.etag === 'string') item.etag = entry.etag;
  if (typeof entry.size === 'number' && Number.isInteger(entry.size) && entry.size >= 0) item.size = entry.size;
  if (typeof entry.nfiles === 'number' && Number.isInteger(entry.nfiles) && entry.nfiles >= 0) item.files = entry.nfiles;
  item.source = source;
  return item;
}

/** A dependency's `repo: {url, rev, rev_lock}`, which `dvc import` writes. */
function importedFrom(entry: Record<string, unknown>): { url: string; rev?: string; revLock?: string } | undefined {
  if (!isRecord(entry.repo) || typeof entry.repo.url !== 'string' || entry.repo.url.length === 0) return undefined;
  const repo: { url: string; rev?: string; revLock?: string } = { url: withoutCredentials(entry.repo.url) };
  if (typeof entry.repo.rev === 'string') repo.rev = entry.repo.rev;
  if (typeof entry.repo.rev_lock === 'string') repo.revLock = entry.repo.rev_lock;
  return repo;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Nested params become dotted keys (`train.lr`); lists are kept as their JSON text, since a
 * param value is a single string, number, boolean or null.
 */
export function flattenInto(into: Record<string, ParamValue>, value: Record<string, unknown>, prefix: string): void {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isRecord(inner)) flattenInto(into, inner, name);
    else if (inner === null || typeof inner === 'string' || typeof inner === 'boolean' || (typeof inner === 'number' && Number.isFinite(inner))) setOwn(into, name, inner);
    else if (Array.isArray(inner)) setOwn(into, name, JSON.stringify(inner));
    else if (inner instanceof Date) setOwn(into, name, inner.toISOString());
  }
}
