import { createHash } from 'node:crypto';
import { constants, lstatSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ResolvedArtifact, ResolvedVersion } from '../core/modelVersion';
import { RegistryError } from '../core/registryError';
import type { Registry } from '../registry/registry';
import { openSyncService } from '../sync/syncService';

/**
 * An artifact's bytes, served only from the blob its hash names and only once that blob has been
 * re-hashed and found whole. A blob this registry does not hold is fetched from the shared store
 * first (hash-checked as it arrives). A blob checked once is not re-hashed on every request while
 * its file stays the same file (device, inode, size, modification time); the bytes are hashed
 * again as they stream, and a mismatch cuts the connection before the last byte, so a client never
 * receives a complete wrong file.
 */
export class VerifiedBlobs {
  /** sha256 → identity of the blob file when it was last found whole. */
  private readonly verified = new Map<string, string>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly registry: Registry) {}

  /** Checks the blob, then `sendTo` streams it into `target`, rejecting (and destroying `target`) if anything fails on the way. */
  async open(resolved: ResolvedVersion, artifact: ResolvedArtifact): Promise<{ size: number; sendTo(target: Writable): Promise<void> }> {
    await this.once(`fetch:${artifact.sha256}`, () => this.fetchIfMissing(resolved, artifact));
    await this.once(`check:${artifact.sha256}`, () => this.checkWhole(resolved, artifact));
    // O_NOFOLLOW: a link put in the blob's place is refused, not followed to somewhere else.
    const handle = await open(artifact.blobPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stats = await handle.stat();
      if (identityOf(stats) !== this.verified.get(artifact.sha256)) throw damaged(resolved, artifact, 'it changed while being opened');
    } catch (error) {
      await handle.close();
      throw error;
    }
    const hash = createHash('sha256');
    const checking = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush: (done) => {
        if (hash.digest('hex') === artifact.sha256) return done();
        this.verified.delete(artifact.sha256);
        done(damaged(resolved, artifact, 'its bytes changed while being sent'));
      },
    });
    return { size: artifact.size, sendTo: (target) => pipeline(handle.createReadStream({ highWaterMark: 1024 * 1024 }), checking, target) };
  }

  /** Runs `work` once for concurrent requests of the same blob. */
  private async once(key: string, work: () => Promise<void>): Promise<void> {
    let running = this.inFlight.get(key);
    if (!running) {
      running = work().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    await running;
  }

  private async fetchIfMissing(resolved: ResolvedVersion, artifact: ResolvedArtifact): Promise<void> {
    if (this.registry.blobs.has(artifact.sha256)) return;
    const service = await openSyncService(this.registry);
    if (!service) {
      throw new RegistryError('NOT_FOUND', `${resolved.version.model}/${resolved.version.number}: ${artifact.path} (blob ${artifact.sha256}) is not in this registry, and it has no shared store to fetch it from. Run 'mreg verify' on the server's registry.`);
    }
    try {
      await service.fetchArtifacts({ ...resolved, artifacts: [artifact] });
    } finally {
      service.store.close();
    }
  }

  private async checkWhole(resolved: ResolvedVersion, artifact: ResolvedArtifact): Promise<void> {
    const stats = lstatSync(artifact.blobPath, { throwIfNoEntry: false });
    if (!stats?.isFile()) throw damaged(resolved, artifact, stats ? 'it is not a regular file' : 'it is missing');
    if (stats.size !== artifact.size) throw damaged(resolved, artifact, `it holds ${stats.size} bytes, not ${artifact.size}`);
    if (this.verified.get(artifact.sha256) === identityOf(stats)) return;
    if ((await this.registry.blobs.check(artifact.sha256)) !== 'ok') throw damaged(resolved, artifact, 'its bytes no longer match its hash');
    this.verified.set(artifact.sha256, identityOf(stats));
  }
}

function identityOf(stats: Stats): string {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function damaged(resolved: ResolvedVersion, artifact: ResolvedArtifact, why: string): RegistryError {
  return new RegistryError(
    'CORRUPT',
    `${resolved.version.model}/${resolved.version.number}: the blob of ${artifact.path} (${artifact.sha256}) is damaged (${why}); it is not served. Run 'mreg verify' on the server's registry.`,
  );
}
