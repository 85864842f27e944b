import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './persistence/atomicFile';
import { RegistryError } from '../core/registryError';
import { makeFolder } from './fileSystemErrors';

export const REGISTRY_DIR_NAME = '.modelregistry';
/** Version of the folder layout. A folder written by a newer layout is refused, not misread. */
export const FOLDER_FORMAT = 1;

const GITIGNORE = `# Blobs, the op log and database snapshots stay out of git.
# Configuration and policy files in this folder may be committed.
*
!.gitignore
!config.json
!policy.yaml
`;

/** Where each piece of a registry folder lives. */
export class RegistryFolder {
  constructor(readonly root: string) {}

  get formatFile(): string {
    return path.join(this.root, 'registry.json');
  }
  get opLogFile(): string {
    return path.join(this.root, 'oplog.jsonl');
  }
  get snapshotsDir(): string {
    return path.join(this.root, 'snapshots');
  }
  get statCacheDir(): string {
    return path.join(this.root, 'cache', 'stat');
  }
  get lockFile(): string {
    return path.join(this.root, 'lock');
  }

  exists(): boolean {
    return existsSync(this.formatFile);
  }

  /** Creates the folder on first write; idempotent. */
  initialize(): void {
    if (existsSync(this.root) && !statSync(this.root).isDirectory()) {
      throw new RegistryError('INVALID_INPUT', `${this.root} exists and is not a folder; choose another registry location.`);
    }
    const gitignore = path.join(this.root, '.gitignore');
    makeFolder(this.root, `create the registry folder ${this.root}`);
    if (!existsSync(gitignore)) writeFileAtomic(gitignore, GITIGNORE);
    if (!this.exists()) writeFileAtomic(this.formatFile, `${JSON.stringify({ format: FOLDER_FORMAT }, null, 2)}\n`);
  }

  /** Refuses a folder written by a newer release before anything in it is read. */
  checkFormat(): void {
    if (!this.exists()) return;
    let format: unknown;
    try {
      format = (JSON.parse(readFileSync(this.formatFile, 'utf8')) as { format?: unknown }).format;
    } catch {
      throw new RegistryError('CORRUPT', `${this.formatFile} is not valid JSON; it should read {"format": ${FOLDER_FORMAT}}.`);
    }
    if (typeof format !== 'number' || format > FOLDER_FORMAT) {
      throw new RegistryError(
        'NEWER_FORMAT',
        `The registry at ${this.root} was written by a newer Model Registry (folder format ${String(format)}; this one reads up to ${FOLDER_FORMAT}). Upgrade mreg and the extension.`,
      );
    }
  }
}

/** The project a command runs in: the enclosing git repository's root, else the folder itself. */
export function locateProjectRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    // Git is not run for this: an untrusted repository's configuration never executes.
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

/**
 * The registry of a project: `--registry DIR` or `MREG_REGISTRY` when given, else `.modelregistry`
 * at the root of the enclosing git repository, else in the current folder.
 */
export function locateRegistryFolder(cwd: string, explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(cwd, explicit);
  if (env.MREG_REGISTRY) return path.resolve(cwd, env.MREG_REGISTRY);
  return path.join(locateProjectRoot(cwd), REGISTRY_DIR_NAME);
}
