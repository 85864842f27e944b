/** The registry as a Node library: the same API the `mreg` CLI and the VS Code extension use. */
export { Registry, type RegisterInput, type RegistryOptions, type WorkOptions, type Changes } from './core/registry';
export { locateRegistryFolder, locateProjectRoot, REGISTRY_DIR_NAME } from './core/registryFolder';
export { parseRef, formatRef, type Ref, type VersionSelector } from './core/refs';
export { STAGES, parseStage, type Stage } from './core/stage';
export { RegistryError, isRegistryError, type RegistryErrorCode } from './core/registryError';
export type { Manifest, Artifact, DataLineage, GitLineage, Metric, MetricDirection, ParamValue } from './core/manifest';
export type { ModelVersion, ModelVersionDetails, RegisteredModel, ResolvedVersion, ResolvedArtifact, AuditEvent } from './core/modelVersion';
export type { IntegrityReport, IntegrityProblem } from './core/integrityCheck';
export type { PullResult } from './core/pullVersion';
export type { FileRegistrationStatus } from './core/fileRegistrationStatus';
export type { VersionComparison, MetricComparison, ValueComparison, ArtifactComparison, DataComparison, ChangeStatus, MetricVerdict } from './core/versionComparison';
