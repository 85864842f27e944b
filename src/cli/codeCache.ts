import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Script } from 'node:vm';

/**
 * Runs a CommonJS bundle with V8's code cache, so that a short-lived command does not parse and
 * compile its 800 kB of JavaScript on every start. The cache is written after the command ran,
 * when it also holds the functions compiled lazily along the way: a cache made at compile time
 * (as v8-compile-cache makes it) holds only the top level, and measured no faster here.
 *
 * V8 checks the cache against its flags and the source's length only, so the file name carries a
 * hash of the source, node's version and the architecture. The folder is the user's own cache
 * folder, never a shared temporary one: whoever can write the cache chooses the code that runs.
 */
export function runWithCodeCache(bundle: string): void {
  const source = readFileSync(bundle, 'utf8');
  const key = createHash('sha256').update(`${process.version} ${process.arch}\0`).update(source).digest('hex').slice(0, 32);
  const folder = cacheFolder();
  const cacheFile = folder && path.join(folder, `${path.basename(bundle, '.js')}-${key}.v8cache`);
  const cachedData = cacheFile ? readOwnFile(cacheFile) : undefined;
  // The shebang line is not JavaScript; a comment of the same length keeps positions in stack traces.
  const script = new Script(Module.wrap(source.startsWith('#!') ? `//${source.slice(2)}` : source), { filename: bundle, cachedData });
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      writeOwnFile(cacheFile, script.createCachedData());
      removeOtherGenerations(cacheFile);
    });
  }
  const bundleModule = new Module(bundle);
  bundleModule.filename = bundle;
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: Module, filename: string, dirname: string) => void;
  run.call(bundleModule.exports, bundleModule.exports, createRequire(bundle), bundleModule, bundle, path.dirname(bundle));
}

/** `$MREG_CODE_CACHE` (empty: none), else the platform's per-user cache folder. */
function cacheFolder(): string | undefined {
  const chosen = process.env.MREG_CODE_CACHE;
  if (chosen !== undefined) return chosen === '' ? undefined : chosen;
  const home = os.homedir();
  if (!home) return undefined;
  const base =
    process.platform === 'win32'
      ? (process.env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'))
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Caches')
        : (process.env.XDG_CACHE_HOME ?? path.join(home, '.cache'));
  return path.join(base, 'model-registry', 'code-cache');
}

/** The file's bytes, when it is this user's and nobody else may write it; anything else is no cache. */
function readOwnFile(file: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const stats = fstatSync(fd);
    const ownedBySomeoneElse = typeof process.getuid === 'function' && stats.uid !== process.getuid();
    if (ownedBySomeoneElse || (process.platform !== 'win32' && (stats.mode & 0o022) !== 0)) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Written whole or not at all (a temporary renamed into place), readable by this user only. */
function writeOwnFile(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch {
    // Only the shortcut is lost: the next start compiles again.
  }
}

/** Caches of earlier builds of the same bundle: each build has a new key, and the old ones are never read again. */
function removeOtherGenerations(cacheFile: string): void {
  const folder = path.dirname(cacheFile);
  const prefix = `${path.basename(cacheFile).replace(/-[0-9a-f]{32}\.v8cache$/, '')}-`;
  try {
    for (const name of readdirSync(folder)) {
      if (name.startsWith(prefix) && name !== path.basename(cacheFile)) unlinkSync(path.join(folder, name));
    }
  } catch {
    // another mreg pruned them first
  }
}
