import type { ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { ArtifactTree, artifactLocation, type ArtifactListEntry } from './artifactTree';
import { MlflowError } from './mlflowErrors';
import { numberRef, type MlflowView } from './mlflowView';
import { VerifiedBlobs } from './verifiedBlobs';

/**
 * MLflow's artifact proxy, read side (`mlflow-artifacts`): listing a folder
 * (`GET /api/2.0/mlflow-artifacts/artifacts?path=…`) and downloading a file
 * (`GET /api/2.0/mlflow-artifacts/artifacts/<path>`), over the versions' artifacts only.
 */
export class ArtifactEndpoints {
  private readonly blobs: VerifiedBlobs;

  constructor(private readonly view: MlflowView) {
    this.blobs = new VerifiedBlobs(view.registry);
  }

  list(path: string): { files?: ArtifactListEntry[] } {
    const files = this.entries(path);
    return files.length > 0 ? { files } : {};
  }

  private entries(path: string): ArtifactListEntry[] {
    const location = artifactLocation(path);
    switch (location.kind) {
      case 'top':
        return [{ path: 'models', is_dir: true }];
      case 'models':
        return this.view.modelNames().map((name) => ({ path: name, is_dir: true }));
      case 'model':
        return this.view.registry
          .versions(location.model)
          .map((version) => ({ path: String(version.number), is_dir: true }))
          .reverse();
      case 'version':
        return new ArtifactTree(this.view.registry.resolve(numberRef(location.model, location.number))).list(location.path);
    }
  }

  /** Streams one artifact's verified bytes as an attachment, as MLflow's server sends artifacts. */
  async download(path: string, response: ServerResponse): Promise<void> {
    const location = artifactLocation(path);
    if (location.kind !== 'version' || location.path === '') throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `'${path}' is a folder, not a file: list it with GET /api/2.0/mlflow-artifacts/artifacts?path=${path}.`);
    const resolved = this.view.registry.resolve(numberRef(location.model, location.number));
    const tree = new ArtifactTree(resolved);
    const artifact = tree.file(location.path);
    if (!artifact) {
      const what = tree.list(location.path).length > 0 ? 'is a folder, not a file; list it' : 'is no artifact of this version; list the version';
      throw new MlflowError('RESOURCE_DOES_NOT_EXIST', `'${location.path}' of ${location.model}/${location.number} ${what} with GET /api/2.0/mlflow-artifacts/artifacts?path=models/${location.model}/${location.number}.`);
    }
    const blob = await this.blobs.open(resolved, artifact);
    response.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': blob.size,
      // As MLflow's server does: an attachment, never rendered on this server's origin.
      'Content-Disposition': `attachment; filename="${posix.basename(location.path).replace(/[^\x20-\x7e]|["\\]/g, '_')}"`,
      'X-Content-Type-Options': 'nosniff',
    });
    await blob.sendTo(response);
  }
}
