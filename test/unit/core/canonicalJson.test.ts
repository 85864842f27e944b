import assert from 'node:assert/strict';
import { canonicalJson } from '../../../src/core/canonicalJson';

describe('canonicalJson', () => {
  it('sorts object keys at every depth', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 3 } }), '{"a":{"c":3,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('sorts keys by UTF-16 code units, not by locale', () => {
    assert.equal(canonicalJson({ b: 1, B: 2, é: 3, a: 4, _: 5 }), '{"B":2,"_":5,"a":4,"b":1,"é":3}');
  });

  it('writes no white space', () => {
    assert.equal(canonicalJson({ list: [1, 2, 3], text: 'a b' }), '{"list":[1,2,3],"text":"a b"}');
  });

  it('drops properties whose value is undefined', () => {
    assert.equal(canonicalJson({ a: 1, gone: undefined, nested: { also: undefined } }), '{"a":1,"nested":{}}');
  });

  it('keeps the order of arrays', () => {
    assert.equal(canonicalJson([3, 1, 2, 'b', 'a']), '[3,1,2,"b","a"]');
  });

  it('writes scalars as JSON does', () => {
    assert.equal(canonicalJson(null), 'null');
    assert.equal(canonicalJson(true), 'true');
    assert.equal(canonicalJson('quote " and \n'), '"quote \\" and \\n"');
    assert.equal(canonicalJson(0.1), '0.1');
    assert.equal(canonicalJson(1e21), '1e+21');
  });

  it('refuses numbers that are not finite', () => {
    for (const value of [NaN, Infinity, -Infinity]) {
      assert.throws(() => canonicalJson({ metric: value }), TypeError, String(value));
    }
  });

  it('gives the same text for the same content whatever the order keys were added in', () => {
    const first: Record<string, unknown> = {};
    first.name = 'fraud';
    first.metrics = { auc: 0.9, loss: 0.1 };
    first.tags = ['a', 'b'];
    const second: Record<string, unknown> = {};
    second.tags = ['a', 'b'];
    second.metrics = { loss: 0.1, auc: 0.9 };
    second.name = 'fraud';
    assert.notEqual(JSON.stringify(first), JSON.stringify(second));
    assert.equal(canonicalJson(first), canonicalJson(second));
  });

  it('reads back as the same value', () => {
    const value = { z: [1, { y: 'two', x: null }], a: false };
    assert.deepEqual(JSON.parse(canonicalJson(value)), value);
  });
});
