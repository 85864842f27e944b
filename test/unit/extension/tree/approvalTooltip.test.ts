import assert from 'node:assert/strict';
import type { ApprovalRequest } from '../../../../src/core/governance/approvals';
import { approvalTooltipMarkdown } from '../../../../src/extension/tree/approvalTooltip';
import { HOSTILE_MARKDOWN, markdownRenderer, visibleText } from '../../../support/hostileMarkdown';

function request(overrides: Partial<ApprovalRequest>): ApprovalRequest {
  return {
    id: '01HQ9ZQ2V5T0ABCDEF12345678',
    model: 'fraud-detector',
    version: 3,
    stage: 'Production',
    requestedBy: 'alice@example.com',
    requestedAt: '2026-12-01T10:00:00.000Z',
    reason: null,
    status: 'pending',
    approvals: [],
    rejections: [],
    needed: 2,
    ...overrides,
  } as ApprovalRequest;
}

describe('the Pending Approvals tooltip', () => {
  it('shows the request in bold and nothing from a synced batch as markdown', () => {
    for (const hostile of HOSTILE_MARKDOWN) {
      const markdown = approvalTooltipMarkdown(
        request({ id: hostile, requestedBy: hostile, reason: hostile, approvals: [{ actor: hostile, time: '2026-12-01T11:00:00.000Z', reason: null }] }),
      );
      const html = markdownRenderer.render(markdown);
      const elements = [...html.matchAll(/<([a-z0-9]+)/g)].map((match) => match[1]);
      assert.deepEqual(elements, ['p', 'strong', 'p', 'p'], `${JSON.stringify(hostile)} became ${html}`);
      assert.ok(html.includes('<strong>fraud-detector/3 → Production</strong>'), html);
      assert.ok(visibleText(html).includes(`(request ${hostile.replace(/\r\n?|\n/g, ' ')})`), html);
    }
  });
});
