import { artifactPathProblem } from '../core/artifactPaths';
import type { ResolvedArtifact, ResolvedVersion } from '../core/modelVersion';
import { soleTopFolder } from '../core/versionPath';
import { MlflowError } from './mlflowErrors';

/**
 * A version's artifacts as MLflow clients see them under its artifact URI. A version registered
 * from one folder (an MLflow model folder `model/` with `MLmodel` …) is seen from inside that
 * folder, as MLflow stores a logged model: `MLmodel` at the top, so `pyfunc.load_model` finds it.
 * Every other version is seen as registered. Only these paths exist: a request names one of them
 * or nothing, and never reaches the file system.
 */
export class ArtifactTree {
  private readonly files = new Map<string, ResolvedArtifact>();

  constructor(resolved: ResolvedVersion) {
    const folder = soleTopFolder(resolved.artifacts.map((artifact) => artifact.path));
    for (const artifact of resolved.artifacts) this.files.set(folder ? artifact.path.slice(folder.length + 1) : artifact.path, artifact);
  }

  file(path: string): ResolvedArtifact | undefined {
    return this.files.get(path);
  }

  /**
   * The entries directly in folder `path` ('' for the top), named relative to it as MLflow's
   * listing names them; empty for a file or a path that is not there (MLflow's artifact
   * repositories answer so, and clients read an empty listing as "a file").
   */
  list(path: string): ArtifactListEntry[] {
    const prefix = path === '' ? '' : `${path}/`;
    const entries = new Map<string, ArtifactListEntry>();
    for (const [file, artifact] of this.files) {
      if (!file.startsWith(prefix)) continue;
      const rest = file.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash < 0) entries.set(rest, { path: rest, is_dir: false, file_size: artifact.size });
      else entries.set(rest.slice(0, slash), { path: rest.slice(0, slash), is_dir: true });
    }
    return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }
}

/** One entry of MLflow's `ListArtifacts` answer (`FileInfo`): `file_size` for files only. */
export interface ArtifactListEntry {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** Where in the artifact space a request points: the top, `models`, a model, or a path inside a version. */
export type ArtifactLocation = { kind: 'top' } | { kind: 'models' } | { kind: 'model'; model: string } | { kind: 'version'; model: string; number: number; path: string };

/**
 * Reads an artifact path of this server (`models/<name>/<number>/<path inside the version>`).
 * It comes from the client, so it is held to the rule manifests are held to (relative, no `..`,
 * no empty or `.` segment, no `\`), as MLflow's own server refuses unsafe paths.
 */
export function artifactLocation(path: string): ArtifactLocation {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return { kind: 'top' };
  const problem = artifactPathProblem(trimmed);
  if (problem) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid artifact path '${path}': ${problem}.`);
  const [top, model, number, ...rest] = trimmed.split('/');
  const notHere = () => new MlflowError('RESOURCE_DOES_NOT_EXIST', `No artifact '${path}': this server's artifacts are under models/<model name>/<version number>/ (see get-download-uri).`);
  if (top !== 'models') throw notHere();
  if (model === undefined) return { kind: 'models' };
  if (number === undefined) return { kind: 'model', model };
  if (!/^[1-9][0-9]{0,15}$/.test(number)) throw notHere();
  return { kind: 'version', model, number: Number(number), path: rest.join('/') };
}
