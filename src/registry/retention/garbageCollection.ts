import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../store/persistence/atomicFile';
import { RegistryError } from '../../core/registryError';
import type { SqlDatabase } from '../../core/sqlDatabase';
import type { Stage } from '../../core/stage';
import type { BlobStore } from '../../store/blobStore';
import type { RetentionPolicy } from './retentionPolicy';

/** A version retention deletes, and the rule that deletes it. */
export interface RetentionDeletion {
  model: string;
  number: number;
  stage: Stage;
  createdAt: string;
  fingerprint: string;
  rule: string;
}

export interface BlobTally {
  count: number;
  bytes: number;
}

export interface GcReport {
  dryRun: boolean;
  policy: RetentionPolicy;
  /** Versions deleted (or, in a dry run, that would be). */
  deleted: RetentionDeletion[];
  /** Blobs no live version refers to once those versions are gone: the space gc frees. */
  unreferenced: BlobTally;
  /** Of those, removed in this run: unreferenced since an earlier run at least the grace period ago. */
  removed: BlobTally;
  /** The rest, marked now or earlier: a gc after the grace period removes them unless a version refers to them again. */
  pending: BlobTally & { removableAfter: string | null };
}

interface VersionFacts {
  id: number;
  fingerprint: string;
  model: string;
  number: number;
  stage: Stage;
  created_at: string;
  alias_count: number;
  promoted: number;
  archived_at: string | null;
  newer: number;
}

/** Which versions the policy deletes now; the database is only read. */
export function planRetention(db: SqlDatabase, policy: RetentionPolicy, now: Date): RetentionDeletion[] {
  if (policy.keepLast === undefined && policy.deleteArchivedAfterDays === undefined) return [];
  const versions = db.all<VersionFacts & Record<string, string | number | null>>(
    `SELECT v.id, m.name AS model, v.number, v.stage, v.created_at, v.fingerprint,
            (SELECT COUNT(*) FROM aliases a WHERE a.version_id = v.id) AS alias_count,
            EXISTS (SELECT 1 FROM events e WHERE e.model_id = v.model_id AND e.version = v.number AND e.type = 'version.stage_changed'
                     AND json_extract(e.details, '$.to') IN ('Staging', 'Production')) AS promoted,
            (SELECT MAX(e.time) FROM events e WHERE e.model_id = v.model_id AND e.version = v.number AND e.type = 'version.stage_changed'
                     AND json_extract(e.details, '$.to') = 'Archived') AS archived_at,
            (SELECT COUNT(*) FROM model_versions w WHERE w.model_id = v.model_id AND w.number > v.number) AS newer
       FROM model_versions v JOIN models m ON m.id = v.model_id ORDER BY m.name, v.number`,
  );
  const archivedBefore = policy.deleteArchivedAfterDays === undefined ? undefined : new Date(now.getTime() - policy.deleteArchivedAfterDays * 86_400_000).toISOString();
  const deletions: RetentionDeletion[] = [];
  for (const version of versions) {
    const withinLast = policy.keepLast !== undefined && Number(version.newer) < policy.keepLast;
    if (withinLast || Number(version.alias_count) > 0 || version.stage === 'Staging' || version.stage === 'Production') continue;
    let rule: string | undefined;
    if (archivedBefore !== undefined && version.stage === 'Archived' && (version.archived_at ?? version.created_at) <= archivedBefore) {
      rule = `Archived more than ${policy.deleteArchivedAfterDays} day(s) ago`;
    } else if (policy.keepLast !== undefined && !Number(version.promoted)) {
      rule = `older than the last ${policy.keepLast} version(s) and never in Staging or Production`;
    }
    if (rule) deletions.push({ model: version.model, number: Number(version.number), stage: version.stage, createdAt: version.created_at, fingerprint: version.fingerprint, rule });
  }
  return deletions;
}

/** Every blob a live version needs: its artifacts and its manifest. */
export function liveBlobs(db: SqlDatabase, except: ReadonlySet<string> = new Set()): Set<string> {
  const rows = db.all<{ sha256: string; ref: string }>(
    `SELECT a.sha256 AS sha256, m.name || '/' || v.number AS ref FROM version_artifacts a JOIN model_versions v ON v.id = a.version_id JOIN models m ON m.id = v.model_id
     UNION ALL SELECT v.fingerprint, m.name || '/' || v.number FROM model_versions v JOIN models m ON m.id = v.model_id`,
  );
  return new Set(rows.filter((row) => !except.has(row.ref)).map((row) => row.sha256));
}

/**
 * Mark-then-sweep over the blob store. A blob no live version refers to is marked with the time it
 * was first seen so; a later run removes it once it has been marked, and unwritten and unreused,
 * for the whole grace period. The caller holds the writer lock and passes the live set read under
 * it, so a committed version's blob is never removed; a registration still hashing when a blob it
 * reuses is removed finds that out under the lock and stores the blob again (Registry.register).
 */
export function sweepBlobs(blobs: BlobStore, live: ReadonlySet<string>, marksFile: string, policy: RetentionPolicy, now: Date, dryRun: boolean): Pick<GcReport, 'unreferenced' | 'removed' | 'pending'> {
  const marks = readMarks(marksFile);
  const graceMs = policy.blobGraceHours * 3_600_000;
  const nextMarks: Record<string, string> = {};
  const unreferenced: BlobTally = { count: 0, bytes: 0 };
  const removed: BlobTally = { count: 0, bytes: 0 };
  const pending: BlobTally = { count: 0, bytes: 0 };
  let earliest: number | undefined;
  for (const blob of [...blobs.list()]) {
    if (live.has(blob.sha256)) continue;
    unreferenced.count++;
    unreferenced.bytes += blob.size;
    const markedAt = marks[blob.sha256] ?? now.toISOString();
    const lastUsed = blobs.lastUsed(blob.sha256)?.getTime() ?? 0;
    const due = Math.max(Date.parse(markedAt), lastUsed) + graceMs;
    if (marks[blob.sha256] !== undefined && due <= now.getTime()) {
      if (dryRun || blobs.remove(blob.sha256)) {
        removed.count++;
        removed.bytes += blob.size;
      }
      continue;
    }
    nextMarks[blob.sha256] = markedAt;
    pending.count++;
    pending.bytes += blob.size;
    earliest = Math.min(earliest ?? due, due);
  }
  if (!dryRun) writeMarks(marksFile, nextMarks);
  return { unreferenced, removed, pending: { ...pending, removableAfter: earliest === undefined ? null : new Date(earliest).toISOString() } };
}

interface MarksFile {
  version: 1;
  /** sha256 → when gc first found no live version referring to it. */
  marks: Record<string, string>;
}

export function marksFileOf(registryFolder: string): string {
  return path.join(registryFolder, 'gc-marks.json');
}

function readMarks(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as MarksFile;
    return parsed.version === 1 && parsed.marks && typeof parsed.marks === 'object' ? parsed.marks : {};
  } catch {
    // Losing the marks only delays removal by one grace period; it never removes too early.
    return {};
  }
}

function writeMarks(file: string, marks: Record<string, string>): void {
  try {
    writeFileAtomic(file, `${JSON.stringify({ version: 1, marks } satisfies MarksFile, null, 1)}\n`);
  } catch (error) {
    throw new RegistryError('IO', `Cannot write ${file}: ${(error as Error).message}`);
  }
}

/** A blob a registration reuses was removed by a gc while the registration was hashing; registering again stores it anew. */
export class BlobsRemovedError extends RegistryError {
  constructor(readonly missing: string[]) {
    super('CONFLICT', `A garbage collection removed ${missing.length} blob(s) this version reuses while it was being registered; nothing was registered. Run the command again.`);
  }
}
