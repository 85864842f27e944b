import type { ResolvedVersion } from './modelVersion';
import { formatRef } from './refs';
import { RegistryError } from './registryError';

/**
 * The part of a resolved version a path inside it names (`models:/name/1/MLmodel`): that artifact,
 * or every artifact under that folder, with their paths unchanged so a pull writes them where a
 * pull of the whole version would. A version registered from one folder (an MLflow model folder
 * `model/` holding `MLmodel`, `model.pkl` …) is addressed as MLflow addresses it, relative to that
 * folder: `MLmodel` finds `model/MLmodel` when no artifact is called `MLmodel` itself.
 */
export function narrowToPath(resolved: ResolvedVersion, artifactPath: string): ResolvedVersion {
  const wanted = artifactPath.replace(/\/+$/, '');
  const candidates = [wanted];
  const folder = soleTopFolder(resolved.artifacts.map((artifact) => artifact.path));
  if (folder && wanted !== folder && !wanted.startsWith(`${folder}/`)) candidates.push(`${folder}/${wanted}`);
  for (const candidate of candidates) {
    const file = resolved.artifacts.filter((artifact) => artifact.path === candidate);
    if (file.length > 0) return { ...resolved, artifacts: file };
    const under = resolved.artifacts.filter((artifact) => artifact.path.startsWith(`${candidate}/`));
    if (under.length > 0) return { ...resolved, artifacts: under };
  }
  const ref = formatRef(resolved.version.model, resolved.version.number);
  const listed = resolved.artifacts.slice(0, 10).map((artifact) => artifact.path).join(', ');
  const more = resolved.artifacts.length > 10 ? ` and ${resolved.artifacts.length - 10} more` : '';
  throw new RegistryError('NOT_FOUND', `${ref} has no artifact or folder '${wanted}'; its artifacts are ${listed}${more}.`);
}

/** The one folder every artifact lies under, when there is one (a version registered from one folder). */
export function soleTopFolder(paths: string[]): string | undefined {
  const tops = new Set(paths.map((p) => (p.includes('/') ? p.slice(0, p.indexOf('/')) : '')));
  if (tops.size !== 1) return undefined;
  const [top] = tops;
  return top === '' ? undefined : top;
}
