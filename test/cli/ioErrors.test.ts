import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { json, MREG, mreg, type MregResult } from '../support/mregProcess';
import { fillUp, remount, useSmallDisk } from '../support/smallDisk';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();
const smallDisk = useSmallDisk();

/** Every file under `dir` whose name marks it as a temporary of an unfinished write. */
function leftovers(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => path.basename(name).startsWith('.tmp-') || (name.split(path.sep)[0] === 'tmp' && name !== 'tmp'));
}

function assertActionable(result: MregResult, pattern: RegExp): void {
  assert.equal(result.status, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /unexpected error/);
  assert.match(result.stderr, pattern);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
}

describe('mreg on a full disk, a read-only disk and a folder it may not write', () => {
  it('says the disk is full, names the folder, changes nothing and leaves no temporaries (ENOSPC)', function () {
    const disk = smallDisk('1m', this);
    const cwd = writeFiles(tempFolder('io-full'), { 'small.bin': 'small weights', 'large.bin': Buffer.alloc(2 * 1024 * 1024, 7) });
    const registry = path.join(disk, 'registry');
    const run = (args: string[]) => mreg(['--registry', registry, ...args], { cwd });
    assert.equal(run(['register', 'm', 'small.bin']).status, 0);

    const tooLarge = run(['register', 'm', 'large.bin']);
    assertActionable(tooLarge, new RegExp(`^mreg: Could not copy large\\.bin into the registry \\(nothing was registered\\): the disk holding ${path.join(registry, 'tmp')} is full \\(ENOSPC\\)\\. Free some space there`));
    assert.deepEqual(leftovers(registry), []);

    const filler = fillUp(disk);
    const locked = run(['alias', 'm/1', 'champion']);
    assertActionable(locked, new RegExp(`^mreg: Could not take the writer lock ${path.join(registry, 'lock')}: the disk holding ${path.join(registry, 'lock')} is full \\(ENOSPC\\)`));
    assert.deepEqual(leftovers(registry), [], 'a full disk left lock temporaries');
    assert.equal(json<unknown[]>(run(['versions', 'm', '--json'])).length, 1);

    rmSync(filler);
    assert.equal(run(['alias', 'm/1', 'champion']).status, 0);
    assert.equal(run(['register', 'm', 'large.bin']).status, 1, 'still larger than the disk');
    assert.equal(run(['verify']).status, 0);
    assert.deepEqual(leftovers(registry), []);
  });

  it('says the disk is read-only and still answers every read (EROFS)', function () {
    const disk = smallDisk('4m', this);
    const cwd = writeFiles(tempFolder('io-ro'), { 'a.bin': 'first', 'b.bin': 'second' });
    const registry = path.join(disk, 'registry');
    const run = (args: string[]) => mreg(['--registry', registry, ...args], { cwd });
    assert.equal(run(['register', 'm', 'a.bin', '--stage', 'production']).status, 0);
    remount(disk, 'ro');
    try {
      assertActionable(run(['register', 'm', 'b.bin']), new RegExp(`^mreg: Could not copy b\\.bin into the registry \\(nothing was registered\\): ${path.join(registry, 'tmp')} is on a read-only file system \\(EROFS\\)\\. Remount it read-write`));
      assertActionable(run(['promote', 'm/1', 'staging']), /^mreg: Could not take the writer lock .*: .* is on a read-only file system \(EROFS\)/);
      assert.equal(run(['versions', 'm']).status, 0);
      assert.equal(run(['show', 'm@production']).status, 0);
      assert.equal(run(['verify']).status, 0);
      const pulled = run(['pull', 'm@production', '--to', path.join(cwd, 'out')]);
      assert.equal(pulled.status, 0, pulled.stderr);
      assertActionable(run(['pull', 'm@production', '--to', path.join(disk, 'out')]), new RegExp(`^mreg: Could not create ${path.join(disk, 'out')} to pull m/1 into: .* read-only file system \\(EROFS\\)`));
    } finally {
      remount(disk, 'rw');
    }
  });

  it('says permission is denied and who may write (EACCES), for a user who may only read the registry', function () {
    const setpriv = spawnSync('setpriv', ['--version']);
    if (process.getuid?.() !== 0 || setpriv.status !== 0) {
      console.warn('    skipped: running mreg as another user needs root and setpriv (util-linux)');
      this.skip();
    }
    const cwd = writeFiles(tempFolder('io-acl'), { 'a.bin': 'first', 'b.bin': 'second' });
    chmodSync(cwd, 0o755);
    assert.equal(mreg(['register', 'm', 'a.bin'], { cwd }).status, 0);
    const asNobody = (args: string[]) => {
      const result = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, MREG, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: cwd } });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const registry = path.join(cwd, '.modelregistry');
    assertActionable(asNobody(['register', 'm', 'b.bin']), new RegExp(`^mreg: Could not .*: permission denied for ${registry}/tmp \\(EACCES\\)\\. Give your user write access to ${registry}`));
    assertActionable(asNobody(['alias', 'm/1', 'champion']), new RegExp(`^mreg: Could not take the writer lock ${registry}/lock: permission denied for ${registry} \\(EACCES\\)`));
    const listed = asNobody(['versions', 'm', '--json']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).length, 1);
    assert.equal(statSync(registry).uid, 0);
    assert.deepEqual(leftovers(registry), []);
  });
});
