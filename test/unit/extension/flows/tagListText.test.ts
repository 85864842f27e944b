import assert from 'node:assert/strict';
import { parseTagListText, tagChanges, tagListText } from '../../../../src/extension/flows/tagListText';

describe('tags as one line of text (Edit Tags…)', () => {
  it('reads back what it writes, values with = and spaces included', () => {
    const tags = { team: 'risk', query: 'a=b c', owner: 'ml' };
    assert.equal(tagListText(tags), 'team=risk; query=a=b c; owner=ml');
    assert.deepEqual(parseTagListText(tagListText(tags)), { tags });
    assert.deepEqual(parseTagListText('  ;  '), { tags: {} });
  });

  it('says what is wrong with a line', () => {
    assert.deepEqual(parseTagListText('team=risk; owner'), { problem: "'owner' is not key=value (separate tags with ';')." });
    assert.deepEqual(parseTagListText('=x'), { problem: "'=x' is not key=value (separate tags with ';')." });
    assert.deepEqual(parseTagListText('a=1; a=2'), { problem: "'a' is given twice." });
    assert.match((parseTagListText('bad\u0001key=1') as { problem: string }).problem, /Invalid tag name/);
  });

  it('keeps a key named __proto__ as a tag, not a prototype', () => {
    const parsed = parseTagListText('__proto__=x; constructor=y') as { tags: Record<string, string> };
    assert.deepEqual(Object.keys(parsed.tags), ['__proto__', 'constructor']);
    assert.deepEqual(Object.entries(tagChanges({}, parsed.tags)), [['__proto__', 'x'], ['constructor', 'y']]);
  });

  it('turns the edit into changes: new and changed values, null for removed keys', () => {
    assert.deepEqual(tagChanges({ a: '1', b: '2', c: '3' }, { a: '1', b: '20', d: '4' }), { b: '20', d: '4', c: null });
    assert.deepEqual(tagChanges({ a: '1' }, { a: '1' }), {});
  });
});
