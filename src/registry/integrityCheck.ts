import type { BlobStore } from '../store/blobStore';
import { checkEventLink, GENESIS_HASH } from '../core/events';
import { fingerprintOf, parseManifest } from '../core/manifest';
import type { OpLog } from '../store/persistence/opLog';
import type { WorkOptions } from '../core/workOptions';
import type { RegistryQueries } from '../core/registryQueries';
import { isRegistryError, throwIfCancelled } from '../core/registryError';

export interface IntegrityProblem {
  kind: 'event-chain' | 'blob-damaged' | 'blob-missing' | 'manifest';
  message: string;
  /** For a missing blob: which one, and what refers to it (`model/3 path`). */
  blob?: { sha256: string; owner: string };
}

export interface IntegrityReport {
  events: number;
  blobs: number;
  bytes: number;
  problems: IntegrityProblem[];
  /** Files in the blob folder that are not blobs (`.DS_Store`, an editor backup): left alone, not corruption. */
  strays: string[];
}

/**
 * `mreg verify`: walks the whole op log checking every link of the hash chain and every manifest
 * against its fingerprint, then re-hashes every blob and checks that each one a version refers to
 * is there. It lists every problem rather than stopping at the first.
 */
export async function checkIntegrity(
  registry: { opLog: OpLog; blobs: BlobStore; queries: RegistryQueries; head: { seq: number; hash: string } },
  { onProgress, signal }: WorkOptions = {},
): Promise<IntegrityReport> {
  const problems: IntegrityProblem[] = [];
  let link = { seq: 0, hash: GENESIS_HASH };
  let events = 0;
  try {
    for (const line of registry.opLog.linesAfter(0)) {
      for (const event of line.events) {
        events += 1;
        try {
          checkEventLink(event, link);
        } catch (error) {
          if (!isRegistryError(error)) throw error;
          problems.push({ kind: 'event-chain', message: error.message });
        }
        if (event.type === 'version.registered') {
          try {
            const manifest = parseManifest(event.payload.manifest, `in event #${event.seq}`);
            if (fingerprintOf(manifest) !== event.payload.fingerprint) {
              problems.push({ kind: 'manifest', message: `Event #${event.seq} (${event.model}/${event.version}): the manifest does not match its fingerprint.` });
            }
          } catch (error) {
            if (!isRegistryError(error)) throw error;
            problems.push({ kind: 'manifest', message: error.message });
          }
        }
        link = { seq: event.seq, hash: event.hash };
      }
    }
  } catch (error) {
    if (!isRegistryError(error)) throw error;
    problems.push({ kind: 'event-chain', message: error.message });
  }
  if (link.seq !== registry.head.seq || link.hash !== registry.head.hash) {
    problems.push({ kind: 'event-chain', message: `The op log ends at event #${link.seq}, but the database is at event #${registry.head.seq}.` });
  }

  const blobs = [...registry.blobs.list()];
  const total = blobs.reduce((sum, blob) => sum + blob.size, 0);
  let done = 0;
  const present = new Set<string>();
  for (const blob of blobs) {
    throwIfCancelled(signal);
    const status = await registry.blobs.check(blob.sha256, { signal, onProgress: (bytes) => onProgress?.(done + bytes, total, blob.sha256) });
    done += blob.size;
    if (status === 'damaged') problems.push({ kind: 'blob-damaged', message: `Blob ${blob.sha256} is damaged: its content no longer matches its hash.` });
    if (status !== 'missing') present.add(blob.sha256);
  }
  for (const { sha256, owner } of registry.queries.referencedBlobs()) {
    if (!present.has(sha256)) problems.push({ kind: 'blob-missing', message: `Blob ${sha256} (${owner}) is missing.`, blob: { sha256, owner } });
  }
  return { events, blobs: blobs.length, bytes: total, problems, strays: registry.blobs.strays() };
}
