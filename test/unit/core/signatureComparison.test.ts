import assert from 'node:assert/strict';
import { compareSignatures } from '../../../src/core/signatureComparison';
import type { ModelSignature } from '../../../src/core/signature';

const base: ModelSignature = {
  inputs: [{ name: 'pixels', elementType: 'float32', shape: ['batch', 3, 224, 224] }],
  outputs: [{ name: 'logits', elementType: 'float32', shape: ['batch', 1000] }],
};

function withInput(shape: (number | string | null)[], elementType = 'float32', name = 'pixels'): ModelSignature {
  return { ...base, inputs: [{ name, elementType, shape }] };
}

describe('compareSignatures', () => {
  it('finds nothing between equal signatures', () => {
    assert.deepEqual(compareSignatures(base, structuredClone(base)), { breaking: false, changes: [] });
  });

  it('calls a removed or renamed input, a changed element type and a changed fixed dimension breaking', () => {
    const renamed = compareSignatures(base, withInput(['batch', 3, 224, 224], 'float32', 'image'));
    assert.equal(renamed.breaking, true);
    assert.deepEqual(renamed.changes.map((c) => [c.kind, c.name]), [['breaking', 'pixels'], ['breaking', 'image']]);
    assert.match(renamed.changes[0].message, /input 'pixels' was removed/);

    const retyped = compareSignatures(base, withInput(['batch', 3, 224, 224], 'float16'));
    assert.deepEqual(retyped.changes.map((c) => [c.kind, c.message]), [['breaking', "input 'pixels' element type float32 → float16"]]);

    const resized = compareSignatures(base, withInput(['batch', 3, 256, 256]));
    assert.equal(resized.changes.length, 2);
    assert.ok(resized.changes.every((c) => c.kind === 'breaking' && /fixed size changed/.test(c.message)));

    assert.equal(compareSignatures(base, withInput(['batch', 3, 224])).changes[0].kind, 'breaking');
  });

  it('calls a removed output breaking and an added output compatible', () => {
    const removed = compareSignatures(base, { ...base, outputs: [] });
    assert.deepEqual(removed.changes.map((c) => [c.kind, c.side, c.name]), [['breaking', 'output', 'logits']]);
    const added = compareSignatures(base, { ...base, outputs: [...base.outputs, { name: 'embedding', elementType: 'float32', shape: ['batch', 512] }] });
    assert.deepEqual(added, { breaking: false, changes: [{ kind: 'compatible', side: 'output', name: 'embedding', message: "output 'embedding' was added" }] });
  });

  it('lets an input accept more and an output promise more, but not the other way round', () => {
    assert.equal(compareSignatures(base, withInput(['batch', 3, 'height', 'width'])).breaking, false);
    assert.equal(compareSignatures(base, withInput([8, 3, 224, 224])).breaking, true);
    assert.equal(compareSignatures(base, withInput(['n', 3, 224, 224])).breaking, false);
    const outputFixed = compareSignatures(base, { ...base, outputs: [{ name: 'logits', elementType: 'float32', shape: [8, 1000] }] });
    assert.equal(outputFixed.breaking, false);
    const outputRelaxed = compareSignatures(base, { ...base, outputs: [{ name: 'logits', elementType: 'float32', shape: ['batch', null] }] });
    assert.equal(outputRelaxed.breaking, true);
  });

  it('cannot vouch for a version that records no signature', () => {
    assert.equal(compareSignatures(base, undefined).breaking, true);
    assert.deepEqual(compareSignatures(undefined, base), { breaking: false, changes: [] });
  });
});
