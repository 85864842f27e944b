import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { artifactPathProblem, artifactPathSetProblem } from '../core/artifactPaths';
import { RegistryError } from '../core/registryError';

export interface ArtifactFile {
  /** Relative POSIX path inside the version. */
  artifactPath: string;
  /** Where the file is on disk. */
  file: string;
  size: number;
}

/**
 * The files a registration names: a file becomes one artifact under its own name; a folder
 * (SavedModel, a tokenizer) becomes its files under `<folder name>/<relative path>`. Links inside
 * a folder are followed when they stay inside it (a folder is never walked twice); a link that
 * points out of it is refused, naming it, since its target (a credentials file, say) would be
 * stored and shared with the team. The one exception is the Hugging Face cache, whose snapshot
 * folders are links into their repository's blobs.
 */
export function collectArtifactFiles(inputs: readonly string[]): ArtifactFile[] {
  if (inputs.length === 0) throw new RegistryError('INVALID_INPUT', 'No files to register: name at least one weight file or folder.');
  const files: ArtifactFile[] = [];
  for (const input of inputs) {
    let stats;
    try {
      stats = statSync(input);
    } catch {
      throw new RegistryError('NOT_FOUND', `${input} does not exist (or is a broken link); check the path.`);
    }
    const name = path.basename(path.resolve(input));
    if (stats.isDirectory()) {
      const outside: string[] = [];
      walk(input, name, new Set(), files, { allowed: linkTargetsAllowed(realpathSync(input)), outside });
      if (outside.length > 0) {
        throw new RegistryError(
          'INVALID_INPUT',
          `${input} holds link(s) that point outside it, whose targets would be stored and shared: ${outside.slice(0, 10).join('; ')}${outside.length > 10 ? ` … (${outside.length} in all)` : ''}. Remove the links or copy the files into the folder.`,
        );
      }
    } else if (stats.isFile()) files.push({ artifactPath: name, file: input, size: stats.size });
    else throw new RegistryError('INVALID_INPUT', `${input} is neither a file nor a folder.`);
  }
  const seen = new Map<string, string>();
  for (const file of files) {
    const earlier = seen.get(file.artifactPath);
    if (earlier) throw new RegistryError('INVALID_INPUT', `${earlier} and ${file.file} would both be stored as '${file.artifactPath}'; rename one or register the folder that holds them.`);
    seen.set(file.artifactPath, file.file);
  }
  if (files.length === 0) throw new RegistryError('INVALID_INPUT', `Nothing to register: ${inputs.join(', ')} holds no files.`);
  // Refuse now what pull would refuse later: a version that cannot be written out is no version.
  for (const file of files) {
    const problem = artifactPathProblem(file.artifactPath);
    if (problem) throw new RegistryError('INVALID_INPUT', `${file.file} cannot be registered as '${file.artifactPath}': ${problem}. Rename it.`);
  }
  const setProblem = artifactPathSetProblem(files.map((file) => file.artifactPath));
  if (setProblem) throw new RegistryError('INVALID_INPUT', `These files cannot make one version: ${setProblem}. Rename one of them.`);
  return files.sort((a, b) => (a.artifactPath < b.artifactPath ? -1 : a.artifactPath > b.artifactPath ? 1 : 0));
}

interface LinkRule {
  /** Real folders a link may point into. */
  allowed: string[];
  /** Links that point elsewhere, as `link → target`. */
  outside: string[];
}

/** The registered folder itself; for a Hugging Face snapshot (`<repo>/snapshots/<revision>`), also `<repo>/blobs`. */
function linkTargetsAllowed(realFolder: string): string[] {
  const snapshots = path.dirname(realFolder);
  if (path.basename(snapshots) === 'snapshots') return [realFolder, path.join(path.dirname(snapshots), 'blobs')];
  return [realFolder];
}

function isInside(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function walk(dir: string, prefix: string, visited: Set<string>, into: ArtifactFile[], links: LinkRule): void {
  const real = realpathSync(dir);
  if (visited.has(real)) return;
  visited.add(real);
  for (const entry of readdirSync(dir).sort()) {
    const file = path.join(dir, entry);
    if (lstatSync(file).isSymbolicLink()) {
      let target: string;
      try {
        target = realpathSync(file);
      } catch {
        continue; // a broken link inside a folder is not part of the model
      }
      if (!links.allowed.some((folder) => isInside(folder, target))) {
        links.outside.push(`${file} → ${target}`);
        continue;
      }
    }
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats) continue;
    if (stats.isDirectory()) walk(file, `${prefix}/${entry}`, visited, into, links);
    else if (stats.isFile()) into.push({ artifactPath: `${prefix}/${entry}`, file, size: stats.size });
  }
}
