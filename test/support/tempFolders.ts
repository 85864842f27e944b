import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Temporary folders for one test file, removed after it. */
export function useTempFolders(): (name?: string) => string {
  const made: string[] = [];
  after(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return (name = 'mreg-test') => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    made.push(dir);
    return dir;
  };
}

/** Writes files given as { 'relative/path': content } under `root`; returns `root`. */
export function writeFiles(root: string, files: Record<string, string | Buffer>): string {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}
