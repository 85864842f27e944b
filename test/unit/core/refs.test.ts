import assert from 'node:assert/strict';
import { parseRef } from '../../../src/core/refs';
import { RegistryError } from '../../../src/core/registryError';

/** Asserts that `text` is refused as INVALID_REF with a message matching `why`. */
function assertRefused(text: string, why: RegExp): void {
  assert.throws(
    () => parseRef(text),
    (error: unknown) => {
      assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
      assert.equal(error.code, 'INVALID_REF');
      assert.match(error.message, why);
      return true;
    },
  );
}

describe('parseRef', () => {
  describe('with a slash', () => {
    it('reads a version number', () => {
      assert.deepEqual(parseRef('fraud-detector/3'), { model: 'fraud-detector', selector: { kind: 'number', number: 3 } });
    });

    it("reads 'latest' as an explicit request for the newest version", () => {
      assert.deepEqual(parseRef('fraud-detector/latest'), { model: 'fraud-detector', selector: { kind: 'latest', implicit: false } });
    });
  });

  describe("with an '@'", () => {
    it('reads a stage in any case, spelled as stored', () => {
      for (const text of ['fraud@production', 'fraud@Production', 'fraud@PRODUCTION', 'fraud@pRoDuCtIoN']) {
        assert.deepEqual(parseRef(text), { model: 'fraud', selector: { kind: 'stage', stage: 'Production' } }, text);
      }
      assert.deepEqual(parseRef('fraud@staging').selector, { kind: 'stage', stage: 'Staging' });
      assert.deepEqual(parseRef('fraud@archived').selector, { kind: 'stage', stage: 'Archived' });
      assert.deepEqual(parseRef('fraud@none').selector, { kind: 'stage', stage: 'None' });
    });

    it('reads an alias', () => {
      assert.deepEqual(parseRef('fraud@champion'), { model: 'fraud', selector: { kind: 'alias', alias: 'champion' } });
    });

    it("reads a semver label with or without a leading 'v', in its canonical spelling", () => {
      assert.deepEqual(parseRef('fraud@v1.2.0'), { model: 'fraud', selector: { kind: 'semver', semver: '1.2.0' } });
      assert.deepEqual(parseRef('fraud@1.2.0'), { model: 'fraud', selector: { kind: 'semver', semver: '1.2.0' } });
      assert.deepEqual(parseRef('fraud@2.0.0-rc.1').selector, { kind: 'semver', semver: '2.0.0-rc.1' });
    });

    it("reads 'latest' as an explicit request for the newest version", () => {
      assert.deepEqual(parseRef('fraud@latest'), { model: 'fraud', selector: { kind: 'latest', implicit: false } });
    });
  });

  describe('a bare model name', () => {
    it('means the latest version, marked as implicit', () => {
      assert.deepEqual(parseRef('fraud-detector'), { model: 'fraud-detector', selector: { kind: 'latest', implicit: true } });
    });

    it('ignores white space around the reference', () => {
      assert.deepEqual(parseRef('  fraud/3\n'), { model: 'fraud', selector: { kind: 'number', number: 3 } });
    });
  });

  describe("MLflow's models:/ URIs", () => {
    it('reads a version number', () => {
      assert.deepEqual(parseRef('models:/fraud/3'), { model: 'fraud', selector: { kind: 'number', number: 3 } });
    });

    it('reads a stage after the slash', () => {
      assert.deepEqual(parseRef('models:/fraud/Production'), { model: 'fraud', selector: { kind: 'stage', stage: 'Production' } });
    });

    it('reads an alias', () => {
      assert.deepEqual(parseRef('models:/fraud@champion'), { model: 'fraud', selector: { kind: 'alias', alias: 'champion' } });
    });
  });

  describe('refuses', () => {
    it('an empty reference', () => {
      assertRefused('', /empty/);
      assertRefused('   ', /empty/);
    });

    it('a model name with uppercase letters, naming the model name', () => {
      assertRefused('Fraud/3', /model name 'Fraud'/);
    });

    it('a version that is not a number, naming it', () => {
      assertRefused('fraud/x', /'x'/);
    });

    it('version 0 and negative versions', () => {
      assertRefused('fraud/0', /'0'/);
      assertRefused('fraud/-1', /'-1'/);
    });

    it("a version number with a leading zero or a sign", () => {
      assertRefused('fraud/03', /'03'/);
      assertRefused('fraud/+3', /'\+3'/);
    });

    it('a version number too long to be exact (more than 15 digits)', () => {
      assert.deepEqual(parseRef('fraud/999999999999999').selector, { kind: 'number', number: 999999999999999 });
      assertRefused('fraud/9007199254740993', /at most 15 digits/);
    });

    it("nothing after '@'", () => {
      assertRefused('fraud@', /nothing follows '@'/);
    });

    it("nothing after '/'", () => {
      assertRefused('fraud/', /nothing follows '\/'/);
    });

    it("an '@' part that is neither a stage, a semver label nor a valid alias, naming it", () => {
      assertRefused('fraud@Champion', /'Champion' after '@'/);
      assertRefused('fraud@has space', /'has space' after '@'/);
    });

    it('a reference with no model name', () => {
      assertRefused('/3', /model name is empty/);
      assertRefused('@production', /model name is empty/);
      assertRefused('models:/', /model name is empty/);
    });

    it('quotes the reference as written and shows the accepted forms', () => {
      assertRefused('Fraud/3', /^Invalid reference 'Fraud\/3': .*name\/3, name@production/);
    });
  });
});
