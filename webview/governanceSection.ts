import type { RecordedGates } from '../src/core/governance/recordedGates';
import type { VersionGovernance } from '../src/extension/webviews/protocol';
import type { StageGuard } from '../src/registry/registry';
import { el, section, table, type Child } from './dom';
import type { PageContext } from './pages';
import { button } from './uiComponents';

type GateRow = { rule: string; passed: boolean; detail: string };

/**
 * Promotion gates on the version's page: for each stage the policy guards, what its rules say now
 * (evaluated read-only by the registry, as promote would), with the requests still open and what
 * can be done (Request Approval…, Approve…/Reject…, Override… where the policy allows it); then the
 * evaluation the last guarded stage change recorded. Nothing when no rule ever concerned the version.
 */
export function governanceSection(ref: string, governance: VersionGovernance | undefined, context: PageContext): HTMLElement | null {
  if (!governance || (governance.guards.length === 0 && governance.recorded === null)) return null;
  const shown = section(
    'Promotion gates',
    ...governance.guards.map((guard) => guardBlock(ref, guard, context)),
    governance.guards.length === 0 ? el('p', { class: 'muted' }, 'No policy rule guards the stages this version could move to now.') : null,
    governance.recorded ? recordedBlock(governance.recorded) : null,
  );
  shown.classList.add('gates-section');
  return shown;
}

function guardBlock(ref: string, guard: StageGuard, context: PageContext): HTMLElement {
  const { evaluation } = guard;
  const failed = evaluation.results.filter((result) => !result.passed).length;
  const verdict = evaluation.passed ? `all ${evaluation.results.length} rule(s) pass` : `${failed} of ${evaluation.results.length} rule(s) fail${evaluation.overridable ? ' · the policy allows an override' : ''}`;
  const approvalsFail = evaluation.results.some((result) => result.kind === 'approvals' && !result.passed);
  const actions: Child[] = [];
  if (approvalsFail && guard.openRequests.length === 0) actions.push(button('Request Approval…', () => context.post({ type: 'requestApproval', ref, stage: guard.stage })));
  if (!evaluation.passed && evaluation.overridable) actions.push(button('Override…', () => context.post({ type: 'overridePromotion', ref, stage: guard.stage }), true));
  return el(
    'div',
    { class: 'gate-stage', attrs: { 'data-stage': guard.stage } },
    el('h3', null, `→ ${guard.stage}: `, el('span', { class: evaluation.passed ? 'gate-pass' : 'gate-fail' }, verdict)),
    el('p', { class: 'muted' }, `Evaluated now${evaluation.production === null ? '' : ` against Production #${evaluation.production}`}; nothing is recorded until the version moves.`),
    gateTable(evaluation.results),
    ...guard.openRequests.map((request) =>
      el(
        'div',
        { class: 'approval-request', attrs: { 'data-request': request.id } },
        el('p', null, `Request ${request.id}: ${request.status}, ${request.approvals.length} of ${request.needed} approval(s) · requested by ${request.requestedBy}${request.reason ? `: ${request.reason}` : ''}`),
        el(
          'div',
          { class: 'actions', attrs: { role: 'toolbar', 'aria-label': `Review request ${request.id}` } },
          button(request.status === 'approved' ? 'Approve and Promote…' : 'Approve…', () => context.post({ type: 'approveRequest', ref, request: request.id })),
          button('Reject…', () => context.post({ type: 'rejectRequest', ref, request: request.id }), true),
        ),
      ),
    ),
    actions.length > 0 ? el('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': `Gates for ${guard.stage}` } }, ...actions) : null,
  );
}

function recordedBlock(recorded: RecordedGates): HTMLElement {
  const outcome = recorded.overridden ? 'overridden: failing rules were bypassed' : recorded.passed ? 'every rule passed' : 'rules failed';
  return el(
    'div',
    { class: 'gate-recorded' },
    el('h3', null, `Recorded when it moved to ${recorded.stage}: `, el('span', { class: recorded.passed ? 'gate-pass' : 'gate-fail' }, outcome)),
    el('p', { class: 'muted' }, `${recorded.time} by ${recorded.actor}${recorded.reason ? ` · ${recorded.reason}` : ''}`),
    gateTable(recorded.results),
  );
}

function gateTable(results: readonly GateRow[]): HTMLElement {
  if (results.length === 0) return el('p', { class: 'muted' }, 'No rule applies.');
  return table(['Result', 'Rule', 'Why'], results, (result) => [el('span', { class: result.passed ? 'gate-pass' : 'gate-fail' }, result.passed ? 'pass' : 'fail'), result.rule, result.detail], 'values gates');
}
