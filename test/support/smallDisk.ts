import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A real, small file system: a tmpfs of `size` mounted for one test file, unmounted after it.
 * Mounting needs root; elsewhere the test is skipped with the reason printed, never silently.
 */
export function useSmallDisk(): (size: string, context: Mocha.Context) => string {
  const mounted: string[] = [];
  after(() => {
    for (const dir of mounted) {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return (size, context) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mreg-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'pipe' });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      console.warn(`    skipped: mounting a ${size} tmpfs needs root (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`);
      context.skip();
    }
    mounted.push(dir);
    return dir;
  };
}

/** Makes a mounted tmpfs read-only (or writable again) without unmounting it. */
export function remount(dir: string, mode: 'ro' | 'rw'): void {
  execFileSync('mount', ['-o', `remount,${mode}`, dir]);
}

/** Fills the file system at `dir` to the last byte with one file, returned so it can be removed again. */
export function fillUp(dir: string): string {
  const filler = path.join(dir, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=4k'], { stdio: 'pipe' });
  } catch {
    // dd stops with "No space left on device": that is the point
  }
  return filler;
}
