import assert from 'node:assert/strict';
import { parseRef } from '../../../../src/core/refs';
import { versionReferences } from '../../../../src/extension/flows/versionReferences';

describe('versionReferences', () => {
  it('offers the stage and every alias first, then the pinned number and URI', () => {
    const texts = versionReferences({ model: 'fraud-detector', number: 3, stage: 'Production', aliases: ['champion', 'eu'] }).map((reference) => reference.text);
    assert.deepEqual(texts, ['fraud-detector@production', 'fraud-detector@champion', 'fraud-detector@eu', 'fraud-detector/3', 'models:/fraud-detector/3']);
  });

  it('offers only the pinned names for a version in no moving stage and without aliases', () => {
    for (const stage of ['None', 'Archived'] as const) {
      assert.deepEqual(versionReferences({ model: 'm', number: 1, stage, aliases: [] }).map((reference) => reference.text), ['m/1', 'models:/m/1']);
    }
    assert.equal(versionReferences({ model: 'm', number: 1, stage: 'Staging', aliases: [] })[0].text, 'm@staging');
  });

  it('offers only names the registry parses back to the same model and selector', () => {
    for (const reference of versionReferences({ model: 'fraud-detector', number: 3, stage: 'Production', aliases: ['champion'] })) {
      const ref = parseRef(reference.text.replace(/^models:\//, ''));
      assert.equal(ref.model, 'fraud-detector', reference.text);
    }
  });
});
