import assert from 'node:assert/strict';
import { StepTitles } from '../../../../src/extension/flows/stepTitles';

describe('StepTitles', () => {
  it('numbers the steps shown one after another, out of the total', () => {
    const steps = new StepTitles('Register Model Version', 3);
    assert.deepEqual([steps.next('model'), steps.next('semver'), steps.next('summary')], [
      'Register Model Version — Step 1 of 3: model',
      'Register Model Version — Step 2 of 3: semver',
      'Register Model Version — Step 3 of 3: summary',
    ]);
  });

  it('takes a skipped step off the total, so the last step is always n of n', () => {
    const steps = new StepTitles('T', 4);
    steps.next('a');
    steps.skip();
    assert.equal(steps.next('b'), 'T — Step 2 of 3: b');
    assert.equal(steps.next('c'), 'T — Step 3 of 3: c');
  });
});
