import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface HostileModel {
  file: string;
  /** Which class of scanner evasion it tries: 'a'–'f' (pickle), 'archive'. */
  evasion: string;
  /** The imports (module.qualname) a scanner must report as high severity. */
  imports: string[];
  /** A finding code it must carry besides. */
  code?: string;
}

/** Writes the hostile files of hostileModels.py into `folder` (Python builds them; nothing is unpickled). */
export function writeHostileModels(folder: string): HostileModel[] {
  execFileSync('python3', [path.join(__dirname, 'hostileModels.py'), folder], { stdio: ['ignore', 'ignore', 'inherit'] });
  const expected = JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as Record<string, Omit<HostileModel, 'file'>>;
  return Object.entries(expected).map(([name, entry]) => ({ file: path.join(folder, name), ...entry }));
}
