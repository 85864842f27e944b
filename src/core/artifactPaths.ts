import { RegistryError } from './registryError';

/**
 * Artifact paths come from manifests, and manifests may come from someone else's store: they are
 * untrusted. A safe path is relative, uses `/`, and has no empty, `.` or `..` segment, so joining it
 * to a target folder can never land outside that folder.
 */
export function artifactPathProblem(artifactPath: string): string | undefined {
  if (artifactPath.length === 0) return 'it is empty';
  if (artifactPath.includes('\0')) return 'it contains a NUL character';
  if (artifactPath.includes('\\')) return "it contains '\\'; artifact paths use '/'";
  if (artifactPath.startsWith('/') || /^[A-Za-z]:/.test(artifactPath)) return 'it is absolute';
  const segments = artifactPath.split('/');
  if (segments.some((segment) => segment === '..')) return "it climbs out of its folder with '..'";
  if (segments.some((segment) => segment === '' || segment === '.')) return "it has an empty or '.' segment";
  return undefined;
}

export function assertSafeArtifactPath(artifactPath: string): void {
  const problem = artifactPathProblem(artifactPath);
  if (problem) throw new RegistryError('UNSAFE_PATH', `Refusing artifact path '${artifactPath}': ${problem}.`);
}

/**
 * One version's paths must be distinct, and none may be a file where another needs a folder
 * ('tok' beside 'tok/vocab.json'): such a set could never be written out.
 */
export function artifactPathSetProblem(paths: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const artifactPath of paths) {
    if (seen.has(artifactPath)) return `'${artifactPath}' appears twice`;
    seen.add(artifactPath);
  }
  for (const artifactPath of paths) {
    const segments = artifactPath.split('/');
    for (let length = 1; length < segments.length; length++) {
      const folder = segments.slice(0, length).join('/');
      if (seen.has(folder)) return `'${folder}' is a file, but '${artifactPath}' needs it to be a folder`;
    }
  }
  return undefined;
}
