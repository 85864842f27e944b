import type { ResolvedVersion } from '../core/modelVersion';
import { formatRef } from '../core/refs';
import { RegistryError, throwIfCancelled } from '../core/registryError';
import type { BlobStore } from '../store/blobStore';

/**
 * Serving code takes `mreg resolve`'s blob paths and loads them: each must be there (and with
 * `verify`, hold the bytes its hash names) before a path is handed out. Throws NOT_FOUND naming
 * every missing artifact, or CORRUPT naming every damaged one.
 */
export async function assertArtifactsHeld(resolved: ResolvedVersion, blobs: BlobStore, options: { verify?: boolean; signal?: AbortSignal } = {}): Promise<void> {
  const ref = formatRef(resolved.version.model, resolved.version.number);
  const missing = resolved.artifacts.filter((artifact) => !blobs.has(artifact.sha256));
  if (missing.length > 0) {
    throw new RegistryError(
      'NOT_FOUND',
      `${ref} is not fully held here: ${missing.map((artifact) => `${artifact.path} (blob ${artifact.sha256})`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing from ${blobs.root}. With a shared store, 'mreg sync' and resolve again fetch ${missing.length === 1 ? 'it' : 'them'}; otherwise run 'mreg verify' to see what else is missing.`,
    );
  }
  if (!options.verify) return;
  const damaged: string[] = [];
  for (const artifact of resolved.artifacts) {
    throwIfCancelled(options.signal);
    if ((await blobs.check(artifact.sha256, { signal: options.signal })) !== 'ok') damaged.push(`${artifact.path} (blob ${artifact.sha256})`);
  }
  if (damaged.length > 0) {
    throw new RegistryError('CORRUPT', `${ref} has damaged artifacts: the bytes of ${damaged.join(', ')} no longer match their hash. Do not serve it; run 'mreg verify'.`);
  }
}
