/** The registry as a Node library: the same API the `mreg` CLI and the VS Code extension use. */
export { Registry, type PromoteOptions, type RegisterInput, type RegistryOptions, type WorkOptions, type Changes } from './core/registry';
export { locateRegistryFolder, locateProjectRoot, REGISTRY_DIR_NAME } from './core/registryFolder';
export { parseRef, formatRef, type Ref, type VersionSelector } from './core/refs';
export { STAGES, parseStage, type Stage } from './core/stage';
export { RegistryError, isRegistryError, type RegistryErrorCode } from './core/registryError';
export type { Manifest, Artifact, DataLineage, GitLineage, Metric, MetricDirection, ParamValue } from './core/manifest';
export type { ModelVersion, ModelVersionDetails, RegisteredModel, ResolvedVersion, ResolvedArtifact, AuditEvent } from './core/modelVersion';
export type { IntegrityReport, IntegrityProblem } from './core/integrityCheck';
export type { PullResult } from './core/pullVersion';
export type { FileRegistrationStatus } from './core/fileRegistrationStatus';
export { evaluatePromotionGates, evaluateGates, GateFailedError, type GateEvaluation, type GateResult, type GateKind } from './core/governance/promotionGates';
export { parsePolicy, loadPolicy, PolicySchema, type Policy, type GateRule, type Webhook } from './core/governance/policy';
export type { ApprovalRequest, ApprovalStatus, ApprovalDecision } from './core/governance/approvals';
export { gateEvaluationText, approvalRequestsText } from './core/governance/governanceReports';
export { webhookPayload } from './core/governance/webhooks';
