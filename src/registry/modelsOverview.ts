import { overviewRows, withPendingApprovals, type OverviewRow } from '../core/registryOverview';
import { approvalRequests } from './governance/approvalWorkflow';
import type { RegistryEngine } from './registryEngine';

/** The registry overview: one row per model (see overviewRows), with pending approvals counted under the policy. */
export function registryOverview(engine: RegistryEngine): OverviewRow[] {
  engine.refresh();
  return withPendingApprovals(overviewRows(engine.db), approvalRequests(engine, { pending: true }));
}
