import type { Stage } from '../stage';
import { matchesModel, type Policy } from './policy';

/** What a deletion rule needs to know about the version it would delete. */
export interface DeletionCandidate {
  model: string;
  /** 'name/3', for messages. */
  ref: string;
  stage: Stage;
  everInProduction: boolean;
}

/**
 * Why `candidate` may not be deleted, or undefined when it may. One function for every path that
 * deletes (a person through mreg or the extension, retention, a tombstone pulled from the shared
 * store), so a policy means the same thing everywhere:
 * - a version in Production is never deleted: it is what serving code resolves; archive it first
 *   (promote another version, or mreg promote <ref> archived);
 * - with `deletion.forbidIfEverInProduction`, neither is a version that ever was in Production,
 *   so the audit trail of what served can always be pulled again.
 * Staging is deletable (with the reason every deletion needs), since nothing serves from it by contract.
 */
export function deletionProblem(candidate: DeletionCandidate, policy: Policy): string | undefined {
  if (candidate.stage === 'Production') {
    return `${candidate.ref} is in Production: a version that serves is never deleted. Promote another version to Production (or archive this one: mreg promote ${candidate.ref} archived), then delete it.`;
  }
  const rule = policy.deletion;
  if (rule?.forbidIfEverInProduction && candidate.everInProduction && matchesModel(rule.models, candidate.model)) {
    return `${candidate.ref} was in Production once, and the policy (deletion.forbidIfEverInProduction in policy.yaml) keeps every such version.`;
  }
  return undefined;
}
