import type { Manifest } from './manifest';
import type { Stage } from './stage';

/** A registered model as listed: its name, description, tags and where its versions stand. */
export interface RegisteredModel {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  createdAt: string;
  versionCount: number;
  latestVersion: number | null;
  productionVersion: number | null;
}

/** One immutable version; only description, tags, stage and aliases ever change. */
export interface ModelVersion {
  model: string;
  number: number;
  id: string;
  semver: string | null;
  stage: Stage;
  aliases: string[];
  fingerprint: string;
  description: string | null;
  tags: Record<string, string>;
  createdAt: string;
  createdBy: string;
  gitCommit: string | null;
  gitBranch: string | null;
}

export interface ModelVersionDetails extends ModelVersion {
  manifest: Manifest;
}

export interface ResolvedArtifact {
  path: string;
  size: number;
  sha256: string;
  mediaType: string;
  /** Where the verified bytes are in the local blob store. */
  blobPath: string;
}

export interface ResolvedVersion {
  version: ModelVersion;
  artifacts: ResolvedArtifact[];
  /** False when the reference named no stage, alias or number (a bare model name). */
  pinned: boolean;
}

export interface AuditEvent {
  seq: number;
  time: string;
  actor: string;
  type: string;
  model: string | null;
  version: number | null;
  reason: string | null;
  details: unknown;
}
