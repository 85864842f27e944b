import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { RegistryError } from '../core/registryError';

/**
 * What a person can do about each error the operating system reports while the registry reads or
 * writes its files. Without this, a full disk or a read-only folder reached the user as
 * "unexpected error: ENOSPC: no space left on device, write", naming neither file nor remedy.
 */
const REMEDIES: Record<string, (target: string) => string> = {
  ENOSPC: (target) => `the disk holding ${target} is full (ENOSPC). Free some space there ('mreg gc' removes blobs no version needs) and try again`,
  EDQUOT: (target) => `your disk quota for ${target} is used up (EDQUOT). Free some space or ask for a larger quota, and try again`,
  EROFS: (target) => `${target} is on a read-only file system (EROFS). Remount it read-write, or use a folder on a writable disk (for the registry itself: --registry or MREG_REGISTRY)`,
  EACCES: (target) => `permission denied for ${target} (EACCES). Give your user write access to ${path.dirname(target)}, or run as the user who owns it`,
  EPERM: (target) => `the operating system refused the operation on ${target} (EPERM). Check its permissions and that no other program (a virus scanner, a sync tool) holds it`,
  EIO: (target) => `the disk reported an I/O error for ${target} (EIO). The disk or the network share may be failing: copy the registry elsewhere and run 'mreg verify' there`,
  EMFILE: (target) => `too many files are open in this process to open ${target} (EMFILE). Close other programs or raise the limit (ulimit -n), and try again`,
  ENFILE: (target) => `the system has too many files open to open ${target} (ENFILE). Close other programs and try again`,
};

export type FileSystemAction = string;

/** The I/O error as a RegistryError naming the file and the remedy; other errors are returned unchanged. */
export function fileSystemError(error: unknown, target: string, action: FileSystemAction): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const remedy = code ? REMEDIES[code] : undefined;
  if (!remedy || error instanceof RegistryError) return error;
  // node names the path for the calls that take one (open, mkdir, rename), not for read or write;
  // a temporary file's name means nothing to a person, its folder does.
  const where = (error as NodeJS.ErrnoException).path ?? target;
  return new RegistryError('IO', `Could not ${action}: ${remedy(path.basename(where).startsWith('.tmp-') ? path.dirname(where) : where)}.`);
}

/** Runs `work`, turning the I/O errors it throws into RegistryErrors about `target`. */
export function withFileSystemErrors<T>(target: string, action: FileSystemAction, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw fileSystemError(error, target, action);
  }
}

/** The asynchronous form of `withFileSystemErrors`. */
export async function withFileSystemErrorsAsync<T>(target: string, action: FileSystemAction, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fileSystemError(error, target, action);
  }
}

/**
 * Any error from node:fs that got this far unmapped, as a RegistryError when it carries the path it
 * was about (node's errors do); for a last-resort handler such as the CLI's.
 */
export function registryErrorFromFileSystem(error: unknown): RegistryError | undefined {
  const errno = error as NodeJS.ErrnoException | undefined;
  if (!errno?.code || !REMEDIES[errno.code]) return undefined;
  const target = errno.path ?? 'a registry file';
  return fileSystemError(error, target, `${errno.syscall ?? 'use'} ${target}`) as RegistryError;
}

/**
 * `mkdir -p` with the real reason on failure: node's recursive mkdir reports a read-only or
 * unwritable parent as ENOENT, which would send a person looking for a missing folder.
 */
export function makeFolder(dir: string, action: FileSystemAction): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    let reason = error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && existsSync(path.dirname(dir))) {
      try {
        mkdirSync(dir);
      } catch (direct) {
        reason = direct;
      }
    }
    throw fileSystemError(reason, dir, action);
  }
}
