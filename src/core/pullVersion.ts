import { existsSync, lstatSync, mkdirSync, realpathSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { copyAndHash, hashFile } from '../store/fileHashing';
import { assertSafeArtifactPath } from './artifactPaths';
import type { ResolvedArtifact, ResolvedVersion } from './modelVersion';
import { fsyncDirectory, renameWithRetry, temporaryNameFor } from './persistence/atomicFile';
import type { WorkOptions } from './registry';
import { RegistryError, throwIfCancelled } from './registryError';

export interface PullResult {
  model: string;
  version: number;
  to: string;
  files: { path: string; size: number; sha256: string; status: 'written' | 'unchanged' }[];
}

/**
 * Writes a version's artifacts under `toDir`. Manifest paths are untrusted: each must be relative
 * and stay inside `toDir`, also through links already in it. Every conflict is found before the
 * first byte is written, so a refused pull changes nothing; each file is verified while copied and
 * renamed into place whole.
 */
export async function pullVersion(resolved: ResolvedVersion, toDir: string, options: WorkOptions & { force?: boolean } = {}): Promise<PullResult> {
  const root = path.resolve(toDir);
  mkdirSync(root, { recursive: true });
  const realRoot = realpathSync(root);
  const plans: { artifact: ResolvedArtifact; target: string; unchanged: boolean }[] = [];
  const conflicts: string[] = [];

  for (const artifact of resolved.artifacts) {
    assertSafeArtifactPath(artifact.path);
    if (!existsSync(artifact.blobPath)) {
      throw new RegistryError('NOT_FOUND', `The bytes of ${artifact.path} (${artifact.sha256}) are not in this registry's blob store. Run 'mreg verify'.`);
    }
    const target = path.join(root, ...artifact.path.split('/'));
    assertInside(realRoot, path.dirname(target), artifact.path);
    const existing = lstatSync(target, { throwIfNoEntry: false });
    let unchanged = false;
    if (existing) {
      unchanged = existing.isFile() && existing.size === artifact.size && (await hashFile(target, { signal: options.signal })).sha256 === artifact.sha256;
      if (!unchanged && !options.force) conflicts.push(artifact.path);
    }
    plans.push({ artifact, target, unchanged });
  }
  if (conflicts.length > 0) {
    throw new RegistryError('FILE_EXISTS', `${root} already has different files at ${conflicts.join(', ')}; nothing was written. Pull into an empty folder, or add --force to overwrite them.`);
  }

  const total = plans.reduce((sum, plan) => sum + (plan.unchanged ? 0 : plan.artifact.size), 0);
  let done = 0;
  const files: PullResult['files'] = [];
  for (const { artifact, target, unchanged } of plans) {
    throwIfCancelled(options.signal);
    if (!unchanged) {
      mkdirSync(path.dirname(target), { recursive: true });
      assertInside(realRoot, path.dirname(target), artifact.path);
      const temporary = temporaryNameFor(target);
      try {
        const copied = await copyAndHash(artifact.blobPath, temporary, {
          signal: options.signal,
          onProgress: (bytes) => options.onProgress?.(done + bytes, total, artifact.path),
        });
        if (copied.sha256 !== artifact.sha256) {
          throw new RegistryError('CORRUPT', `The stored bytes of ${artifact.path} are damaged (sha256 ${copied.sha256}, expected ${artifact.sha256}); nothing was written for it. Run 'mreg verify'.`);
        }
        // rename replaces a link at the target itself, never the file it points to
        renameWithRetry(temporary, target);
        fsyncDirectory(path.dirname(target));
      } finally {
        if (existsSync(temporary)) unlinkSync(temporary);
      }
      done += artifact.size;
    }
    files.push({ path: artifact.path, size: artifact.size, sha256: artifact.sha256, status: unchanged ? 'unchanged' : 'written' });
  }
  return { model: resolved.version.model, version: resolved.version.number, to: root, files };
}

/** Links inside the target folder could lead a relative path out of it; resolve and check. */
function assertInside(realRoot: string, dir: string, artifactPath: string): void {
  let existing = dir;
  while (!existsSync(existing)) existing = path.dirname(existing);
  const real = realpathSync(existing);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new RegistryError('UNSAFE_PATH', `Refusing to write '${artifactPath}': a link in the target folder leads outside it (to ${real}).`);
  }
}
