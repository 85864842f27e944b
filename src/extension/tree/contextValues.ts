import { APPROVAL_STATUSES, type ApprovalStatus } from '../../core/governance/approvals';
import { STAGES, type Stage } from '../../core/stage';

/**
 * The `contextValue` of each tree node kind: package.json's `view/item/context` menus match these
 * strings (`viewItem == model`, `viewItem =~ /^version/`), and a test checks that every menu names
 * a value some node has.
 */
export const ContextValues = {
  model: 'model',
  artifact: 'artifact',
  detail: 'detail',
  /** A data entry under a version: a detail (its menus apply) that can also start the lineage graph. */
  dataEntry: 'detail.data',
  section: 'section',
  stage: 'stage',
  /** An alias under its version (Remove Alias…). */
  alias: 'alias',
  /** `version.none`, `version.staging`, `version.production`, `version.archived`. */
  version: (stage: Stage) => `version.${stage.toLowerCase()}`,
  /** `approvalRequest.pending`, `approvalRequest.approved`, … */
  approvalRequest: (status: ApprovalStatus) => `approvalRequest.${status}`,
} as const;

/** Every value a node can carry, for checking the menus against. */
export function allContextValues(): string[] {
  const { model, artifact, detail, dataEntry, section, stage, alias, version, approvalRequest } = ContextValues;
  return [model, artifact, detail, dataEntry, section, stage, alias, ...STAGES.map(version), ...APPROVAL_STATUSES.map(approvalRequest)];
}
