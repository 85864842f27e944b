import { existsSync, lstatSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { copyAndHash, hashFile } from '../store/fileHashing';
import { artifactPathSetProblem, assertSafeArtifactPath } from '../core/artifactPaths';
import type { ResolvedArtifact, ResolvedVersion } from '../core/modelVersion';
import { makeFolder, withFileSystemErrors, withFileSystemErrorsAsync } from '../store/fileSystemErrors';
import { fsyncDirectory, renameWithRetry, temporaryNameFor } from '../store/persistence/atomicFile';
import { formatRef } from '../core/refs';
import type { WorkOptions } from '../core/workOptions';
import { RegistryError, throwIfCancelled } from '../core/registryError';

export interface PullResult {
  model: string;
  version: number;
  to: string;
  files: { path: string; size: number; sha256: string; status: 'written' | 'unchanged' }[];
}

/** What is at an artifact's place in the target folder now. */
type TargetState =
  | { kind: 'absent' }
  | { kind: 'file'; size: number }
  /** A link at the target itself: replaced (never followed) with --force. */
  | { kind: 'link' }
  /** A folder at the target, or a file where a parent folder is needed: never removed for you. */
  | { kind: 'blocked'; at: string };

/**
 * Writes a version's artifacts under `toDir`. Manifest paths are untrusted: each must be relative
 * and stay inside `toDir`, also through links already in it. Every conflict is found before the
 * first byte is written (or the folder is created), so a refused pull changes nothing; each file is
 * verified while copied and renamed into place whole.
 */
export async function pullVersion(resolved: ResolvedVersion, toDir: string, options: WorkOptions & { force?: boolean } = {}): Promise<PullResult> {
  const ref = formatRef(resolved.version.model, resolved.version.number);
  const root = path.resolve(toDir);
  const setProblem = artifactPathSetProblem(resolved.artifacts.map((artifact) => artifact.path));
  if (setProblem) throw new RegistryError('UNSAFE_PATH', `Refusing to pull ${ref}: ${setProblem}.`);

  const plans: { artifact: ResolvedArtifact; target: string; unchanged: boolean }[] = [];
  const differing: string[] = [];
  const blocked: string[] = [];
  for (const artifact of resolved.artifacts) {
    assertSafeArtifactPath(artifact.path);
    if (!existsSync(artifact.blobPath)) {
      throw new RegistryError('NOT_FOUND', `The bytes of ${artifact.path} (${artifact.sha256}) are not in this registry's blob store. Run 'mreg verify'.`);
    }
    const segments = artifact.path.split('/');
    const state = inspectTarget(root, segments, artifact.path);
    let unchanged = false;
    if (state.kind === 'blocked') blocked.push(`${artifact.path} (${path.relative(root, state.at) || '.'} is in the way)`);
    else if (state.kind === 'link' && !options.force) differing.push(artifact.path);
    else if (state.kind === 'file') {
      const target = path.join(root, ...segments);
      unchanged = state.size === artifact.size && (await hashFile(target, { signal: options.signal })).sha256 === artifact.sha256;
      if (!unchanged && !options.force) differing.push(artifact.path);
    }
    plans.push({ artifact, target: path.join(root, ...segments), unchanged });
  }
  if (blocked.length > 0) {
    throw new RegistryError('FILE_EXISTS', `Cannot pull ${ref} into ${root}: ${blocked.join('; ')}. Move those out of the way; nothing was written.`);
  }
  if (differing.length > 0) {
    throw new RegistryError('FILE_EXISTS', `${root} already has different files at ${differing.join(', ')}; nothing was written. Pull into an empty folder, or add --force to overwrite them.`);
  }

  makeFolder(root, `create ${root} to pull ${ref} into`);
  const realRoot = realpathSync(root);
  const total = plans.reduce((sum, plan) => sum + (plan.unchanged ? 0 : plan.artifact.size), 0);
  let done = 0;
  const files: PullResult['files'] = [];
  for (const { artifact, target, unchanged } of plans) {
    throwIfCancelled(options.signal);
    if (!unchanged) {
      makeFolder(path.dirname(target), `create the folder of ${artifact.path} in ${root}`);
      // Checked again now that the folders exist: nothing may have moved a link in meanwhile.
      assertInside(realRoot, realpathSync(path.dirname(target)), artifact.path);
      const temporary = temporaryNameFor(target);
      try {
        const copied = await withFileSystemErrorsAsync(target, `write ${target}`, () =>
          copyAndHash(artifact.blobPath, temporary, {
            signal: options.signal,
            onProgress: (bytes) => options.onProgress?.(done + bytes, total, artifact.path),
          }),
        );
        if (copied.sha256 !== artifact.sha256) {
          throw new RegistryError('CORRUPT', `The stored bytes of ${artifact.path} are damaged (sha256 ${copied.sha256}, expected ${artifact.sha256}); nothing was written for it. Run 'mreg verify'.`);
        }
        // rename replaces a link at the target itself, never the file it points to
        withFileSystemErrors(target, `write ${target}`, () => renameWithRetry(temporary, target));
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

/** Walks the artifact's path from the root without creating anything, following links only if they stay inside. */
function inspectTarget(root: string, segments: string[], artifactPath: string): TargetState {
  if (!existsSync(root)) return { kind: 'absent' };
  const realRoot = realpathSync(root);
  let current = root;
  for (const [index, segment] of segments.entries()) {
    current = path.join(current, segment);
    const stats = lstatSync(current, { throwIfNoEntry: false });
    if (!stats) return { kind: 'absent' };
    const isTarget = index === segments.length - 1;
    if (stats.isSymbolicLink()) {
      if (isTarget) return { kind: 'link' };
      let real: string;
      try {
        real = realpathSync(current);
      } catch {
        throw new RegistryError('UNSAFE_PATH', `Refusing to write '${artifactPath}': ${current} is a broken link.`);
      }
      assertInside(realRoot, real, artifactPath);
      if (!statSync(current).isDirectory()) return { kind: 'blocked', at: current };
      continue;
    }
    if (isTarget) return stats.isFile() ? { kind: 'file', size: stats.size } : { kind: 'blocked', at: current };
    if (!stats.isDirectory()) return { kind: 'blocked', at: current };
  }
  return { kind: 'absent' };
}

function assertInside(realRoot: string, real: string, artifactPath: string): void {
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new RegistryError('UNSAFE_PATH', `Refusing to write '${artifactPath}': a link in the target folder leads outside it (to ${real}).`);
  }
}
