import path from 'node:path';
import type { Manifest } from './manifest';

/**
 * Where in the project an artifact was registered from, if the manifest says: a file input `models/a.onnx`
 * became artifact `a.onnx`; a folder input `models/tokenizer` became `tokenizer/…`. The file may
 * have changed or gone since; callers check before trusting it.
 */
export function artifactSourcePath(manifest: Manifest, artifactPath: string, projectRoot: string): string | undefined {
  const top = artifactPath.split('/')[0];
  for (const input of manifest.source.inputs) {
    if (path.posix.basename(input) !== top) continue;
    const source = path.resolve(projectRoot, path.posix.dirname(input), artifactPath);
    const relative = path.relative(projectRoot, source);
    if (relative.startsWith('..') || path.isAbsolute(relative)) continue;
    return source;
  }
  return undefined;
}
