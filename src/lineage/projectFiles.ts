import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../core/lazyModules';
import { RegistryError } from '../core/registryError';

/** Params, metrics and lock files are small; anything larger is not one of them. */
const TEXT_LIMIT = 32 * 1024 * 1024;

/** A small text file of the project, or a clear error naming it. */
export function readProjectText(file: string): string {
  return readProjectBytes(file).toString('utf8');
}

export function readProjectBytes(file: string): Buffer {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats?.isFile()) throw new RegistryError('NOT_FOUND', `${file} does not exist or is not a file.`);
  if (stats.size > TEXT_LIMIT) throw new RegistryError('INVALID_INPUT', `${file} is ${stats.size} bytes; a params, metrics or lock file is expected to be under ${TEXT_LIMIT} bytes.`);
  return readFileSync(file);
}

/** YAML (which includes JSON) parsed as plain data: the parser builds no objects of custom types. */
export function readStructuredFile(file: string): unknown {
  const text = readProjectText(file);
  try {
    return path.extname(file).toLowerCase() === '.json' ? (JSON.parse(text) as unknown) : (parseYaml(text, { maxAliasCount: 1000 }) as unknown);
  } catch (error) {
    throw new RegistryError('INVALID_INPUT', `${file} cannot be read: ${(error as Error).message.split('\n')[0]}. Fix the file, or leave it out with --no-discover.`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path as the manifest records it: relative to the project, POSIX separators. */
export function projectRelative(projectRoot: string, file: string): string {
  return path.relative(projectRoot, path.resolve(projectRoot, file)).split(path.sep).join('/') || '.';
}
