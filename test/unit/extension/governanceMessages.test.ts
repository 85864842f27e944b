import assert from 'node:assert/strict';
import { isPageData, isWebviewMessage } from '../../../src/extension/webviews/protocol';

/** What a version page may post about governance, and what the extension may send it: anything else is ignored. */
describe('governance messages between the page and the extension', () => {
  it('accepts Request Approval and Override for a stage, Approve and Reject for a request id', () => {
    for (const message of [
      { type: 'requestApproval', ref: 'fraud/3', stage: 'Staging' },
      { type: 'overridePromotion', ref: 'fraud/3', stage: 'Production' },
      { type: 'approveRequest', ref: 'fraud/3', request: '1a2b3c4d' },
      { type: 'rejectRequest', ref: 'fraud/3', request: '1a2b3c4d' },
    ]) assert.equal(isWebviewMessage(message), true, JSON.stringify(message));
  });

  it('refuses unknown stages, odd request ids and extra fields', () => {
    for (const message of [
      { type: 'requestApproval', ref: 'fraud/3', stage: 'production' },
      { type: 'overridePromotion', ref: 'fraud/3', stage: 'Nowhere' },
      { type: 'overridePromotion', ref: 'fraud/3', stage: 'Production', reason: 'sneaked in' },
      { type: 'requestApproval', ref: '', stage: 'Staging' },
      { type: 'approveRequest', ref: 'fraud/3', request: '../../x' },
      { type: 'approveRequest', ref: 'fraud/3', request: 'a'.repeat(65) },
      { type: 'rejectRequest', ref: 'fraud/3', request: 7 },
      { type: 'approveRequest', ref: 'fraud/3' },
    ]) assert.equal(isWebviewMessage(message), false, JSON.stringify(message));
  });

  it('takes a details page without governance, or with it in the expected shape only', () => {
    const page = { kind: 'details', details: { model: 'fraud', number: 3, manifest: { artifacts: [], metrics: {}, lineage: {} } }, uri: 'models:/fraud/3', events: [] };
    assert.equal(isPageData(page), true);
    const evaluation = { model: 'fraud', version: 3, stage: 'Production', production: null, passed: false, overridable: true, results: [{ kind: 'threshold', rule: 'auc >= 0.9', passed: false, detail: '', overridable: true }], approvalRequests: [] };
    assert.equal(isPageData({ ...page, governance: { guards: [{ stage: 'Production', approvalsNeeded: 0, evaluation, openRequests: [] }], recorded: null } }), true);
    assert.equal(isPageData({ ...page, governance: { guards: [], recorded: { stage: 'Staging', results: [] } } }), true);
    for (const governance of [null, 'x', { guards: {} }, { guards: [{ stage: 'Elsewhere', evaluation, openRequests: [] }], recorded: null }, { guards: [{ stage: 'Production', evaluation: { results: [1] }, openRequests: [] }], recorded: null }, { guards: [], recorded: { stage: 'Staging' } }]) {
      assert.equal(isPageData({ ...page, governance }), false, JSON.stringify(governance));
    }
  });
});
