import assert from 'node:assert/strict';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mreg } from '../support/mregProcess';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

/** The one cache file in the folder, with what identifies this generation of it. */
function cacheFileIn(folder: string): { file: string; mode: number; ino: number; mtimeMs: number } {
  const names = readdirSync(folder).filter((name) => name.endsWith('.v8cache'));
  assert.equal(names.length, 1, `one cache file, found: ${names.join(', ')}`);
  const file = path.join(folder, names[0]);
  const stats = statSync(file);
  return { file, mode: stats.mode & 0o777, ino: stats.ino, mtimeMs: stats.mtimeMs };
}

describe("mreg's code cache", () => {
  it('is written once, readable by its user only, and reused by later runs', () => {
    const cwd = tempFolder('project');
    const cache = path.join(tempFolder('cache'), 'code-cache');
    const first = mreg(['models'], { cwd, env: { MREG_CODE_CACHE: cache } });
    assert.equal(first.status, 0, first.stderr);
    const written = cacheFileIn(cache);
    assert.match(path.basename(written.file), /^cli-main-[0-9a-f]{32}\.v8cache$/);
    assert.equal(written.mode, 0o600);
    assert.equal(statSync(cache).mode & 0o777, 0o700);

    const second = mreg(['models'], { cwd, env: { MREG_CODE_CACHE: cache } });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    const reused = cacheFileIn(cache);
    assert.equal(reused.ino, written.ino, 'an accepted cache is not written again');
  });

  it('ignores a cache that others may write, and one V8 rejects, and writes its own in their place', () => {
    const cwd = tempFolder('project');
    const cache = path.join(tempFolder('cache'), 'code-cache');
    assert.equal(mreg(['models'], { cwd, env: { MREG_CODE_CACHE: cache } }).status, 0);
    const { file, ino } = cacheFileIn(cache);

    // Whoever can write the cache chooses the code that runs: a group- or world-writable one is not read.
    chmodSync(file, 0o666);
    const untrusted = mreg(['--version'], { cwd, env: { MREG_CODE_CACHE: cache } });
    assert.equal(untrusted.status, 0, untrusted.stderr);
    const replaced = cacheFileIn(cache);
    assert.notEqual(replaced.ino, ino);
    assert.equal(replaced.mode, 0o600);

    // Bytes that are no code cache (a torn write, another V8): rejected by V8, the command still runs.
    writeFileSync(file, Buffer.alloc(4096, 7));
    const garbage = mreg(['models', '--json'], { cwd, env: { MREG_CODE_CACHE: cache } });
    assert.equal(garbage.status, 0, garbage.stderr);
    assert.deepEqual(JSON.parse(garbage.stdout), []);
    assert.notEqual(statSync(file).size, 4096, 'rewritten with a cache V8 made');
  });

  it('runs without one when the cache folder cannot be written, or is switched off', () => {
    const cwd = tempFolder('project');
    // A file where the folder should be stops every user, root included.
    const blocked = path.join(tempFolder('blocked'), 'not-a-folder');
    writeFileSync(blocked, 'x');
    const result = mreg(['models'], { cwd, env: { MREG_CODE_CACHE: path.join(blocked, 'code-cache') } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, '');
    const off = mreg(['models'], { cwd, env: { MREG_CODE_CACHE: '' } });
    assert.equal(off.status, 0, off.stderr);
  });
});
