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

    it("reads the names and aliases of MLflow's own docs, keeping their case", () => {
      assert.deepEqual(parseRef('models:/AdsModel1/123'), { model: 'AdsModel1', selector: { kind: 'number', number: 123 } });
      assert.deepEqual(parseRef('models:/AdsModel1@Champion'), { model: 'AdsModel1', selector: { kind: 'alias', alias: 'Champion' } });
    });

    it("reads 'latest' and stages in any case, as MLflow's _parse_model_uri does", () => {
      for (const text of ['models:/m/latest', 'models:/m/LATEST', 'models:/m/Latest', 'm/Latest', 'm@LATEST']) {
        assert.deepEqual(parseRef(text).selector, { kind: 'latest', implicit: false }, text);
      }
      for (const text of ['models:/m/production', 'models:/m/PRODUCTION', 'models:/m/Production']) {
        assert.deepEqual(parseRef(text).selector, { kind: 'stage', stage: 'Production' }, text);
      }
    });

    it('reads a path inside the version, cut where split_models_uri cuts it', () => {
      assert.deepEqual(parseRef('models:/fraud/1/MLmodel'), { model: 'fraud', selector: { kind: 'number', number: 1 }, path: 'MLmodel' });
      assert.deepEqual(parseRef('models:/fraud/Production/model/data/model.pkl'), { model: 'fraud', selector: { kind: 'stage', stage: 'Production' }, path: 'model/data/model.pkl' });
      assert.deepEqual(parseRef('models:/fraud@champion/MLmodel'), { model: 'fraud', selector: { kind: 'alias', alias: 'champion' }, path: 'MLmodel' });
      assert.deepEqual(parseRef('models:/fraud/latest/tokenizer/'), { model: 'fraud', selector: { kind: 'latest', implicit: false }, path: 'tokenizer' });
      assert.equal(parseRef('models:/fraud/3').path, undefined);
      assert.equal(parseRef('models:/fraud/3/').path, undefined);
    });

    it("refuses a path inside the version with '..', '.' or an empty part", () => {
      assertRefused('models:/fraud/1/../other', /'\.\.'/);
      assertRefused('models:/fraud/1/a//b', /empty/);
      assertRefused('models:/fraud@champion/./x', /'\.'/);
    });
  });

  describe('refuses', () => {
    it('an empty reference', () => {
      assertRefused('', /empty/);
      assertRefused('   ', /empty/);
    });

    it('a model name with a space or a colon, naming the model name', () => {
      assertRefused('fraud detector/3', /model name 'fraud detector'/);
      assertRefused('models:/a:b/1', /model name 'a:b'/);
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
      assertRefused('fraud@-x', /'-x' after '@'/);
      assertRefused('fraud@has space', /'has space' after '@'/);
    });

    it('a reference with no model name', () => {
      assertRefused('/3', /model name is empty/);
      assertRefused('@production', /model name is empty/);
      assertRefused('models:/', /model name is empty/);
    });

    it('quotes the reference as written and shows the accepted forms', () => {
      assertRefused('fraud/x', /^Invalid reference 'fraud\/x': .*name\/3, name@production/);
    });
  });
});
