import assert from 'node:assert/strict';
import { parseBoundedJson } from '../../../src/formats/boundedJson';
import { FormatProblem } from '../../../src/formats/byteReader';
import { InspectionBudget, LimitReached } from '../../../src/formats/inspectionBudget';

const parse = (text: string, budget?: InspectionBudget) => parseBoundedJson(Buffer.from(text), 'the test', budget);

describe('bounded JSON parsing', () => {
  // JSON.parse is the reference: the same values, the same refusals.
  const valid = [
    '{}', '[]', '"text"', '0', '-0.5e-3', 'true', 'null', ' \n\t{ "a" : [ 1 , 2.5E3 , "x\\u00e9\\n\\"" , false , null , { } ] } ',
    '{"a":1,"a":2}', '{"__proto__":{"polluted":true}}', '["\\ud83d\\ude00", "€"]', '[1e400, -1e400]',
  ];
  for (const text of valid) {
    it(`reads ${JSON.stringify(text)} as JSON.parse does`, () => {
      const value = parse(text);
      assert.deepEqual(value, JSON.parse(text));
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  const invalid = ['', ' ', '[1,]', '{"a":1,}', '{a:1}', '[01]', '["\\x"]', '[1 2]', '{"a"}', '[', '{"a":[}', 'tru', '{"k":"v"} x', '"\u0001"', '[-]', '.5', '{"a":1]'];
  for (const text of invalid) {
    it(`refuses ${JSON.stringify(text)}, as JSON.parse does, with a FormatProblem`, () => {
      assert.throws(() => JSON.parse(text));
      assert.throws(() => parse(text), FormatProblem);
    });
  }

  it('stops at the depth limit, whatever the mix of arrays and objects', () => {
    const deep = '[{"a":'.repeat(40) + '1' + '}]'.repeat(40);
    assert.throws(() => parse(deep), (error) => error instanceof LimitReached && error.limit === 'depth');
    assert.deepEqual(parse(deep, new InspectionBudget({ depth: 80 })), JSON.parse(deep));
  });

  it('stops at the entries limit', () => {
    const many = `[${'0,'.repeat(20_000)}0]`;
    assert.throws(() => parse(many, new InspectionBudget({ entries: 10_000 })), (error) => error instanceof LimitReached && error.limit === 'entries');
    assert.equal((parse(many) as number[]).length, 20_001);
  });
});
