import assert from 'node:assert/strict';
import { escapeMarkdown } from '../../../src/extension/markdownText';
import { HOSTILE_MARKDOWN, markdownRenderer, visibleText } from '../../support/hostileMarkdown';

describe('escapeMarkdown', () => {
  for (const text of HOSTILE_MARKDOWN) {
    it(`renders ${JSON.stringify(text)} as the plain text it is`, () => {
      const html = markdownRenderer.render(escapeMarkdown(text));
      assert.match(html, /^<p>[^]*<\/p>\n$/, 'one paragraph');
      assert.doesNotMatch(html.slice(3, -5), /<(?!\/?p>)/, `no element but the paragraph: ${html}`);
      assert.equal(visibleText(html).trim(), text.replace(/\r\n?|\n/g, ' ').trim());
    });
  }

  it('escapes VS Code theme icons, which plain CommonMark does not know', () => {
    assert.equal(escapeMarkdown('$(alert)'), '\\$\\(alert\\)');
  });
});
