import assert from 'node:assert/strict';
import { aliasNameProblem, aliasSpellingProblem, assertAliasName, assertKey, assertModelName, assertNoCaseClash, caseClashOf, modelNameProblem, normalizeSemver } from '../../../src/core/names';

describe('model names', () => {
  it('accepts lowercase letters, digits, hyphens, underscores and dots', () => {
    for (const name of ['fraud-detector', 'bert_base.v2', 'a', '7b-chat', 'x.y_z-0']) {
      assert.equal(modelNameProblem(name), undefined, name);
      assert.doesNotThrow(() => assertModelName(name), name);
    }
  });

  it('accepts 128 characters and refuses 129, saying how long it is', () => {
    assert.equal(modelNameProblem('m'.repeat(128)), undefined);
    assert.match(modelNameProblem('m'.repeat(129)) ?? '', /129 characters long; the limit is 128/);
  });

  it('refuses an empty name', () => {
    assert.match(modelNameProblem('') ?? '', /empty/);
  });

  it("keeps capitals, as MLflow's own docs name models (models:/AdsModel1/123)", () => {
    for (const name of ['AdsModel1', 'Fraud', 'BERT-base.V2']) assert.equal(modelNameProblem(name), undefined, name);
  });

  it('refuses spaces, slashes, @ and colons, naming the model', () => {
    for (const name of ['fraud detector', 'team/fraud', 'fraud@1', 'fraud:1', 'straße']) {
      assert.match(modelNameProblem(name) ?? '', new RegExp(`model name '${name}' may use only letters`), name);
    }
  });

  it('must start with a letter or digit', () => {
    for (const name of ['-fraud', '_fraud', '.fraud']) assert.ok(modelNameProblem(name), name);
  });

  it('throws INVALID_NAME from assertModelName', () => {
    assert.throws(() => assertModelName('fraud detector'), { name: 'RegistryError', code: 'INVALID_NAME', message: /^Invalid model name: .*'fraud detector'/ });
  });
});

describe('names that differ only in case', () => {
  it('finds the registered model a new name would clash with', () => {
    assert.equal(caseClashOf('Fraud', ['churn', 'fraud']), 'fraud');
    assert.equal(caseClashOf('ADSMODEL1', ['AdsModel1']), 'AdsModel1');
  });

  it('lets the same spelling and names that really differ through', () => {
    assert.equal(caseClashOf('fraud', ['fraud', 'Fraud']), undefined);
    assert.equal(caseClashOf('fraud2', ['fraud']), undefined);
    assert.equal(caseClashOf('x', []), undefined);
  });

  it('refuses the clash with INVALID_NAME, naming both spellings and what to do', () => {
    assert.throws(() => assertNoCaseClash('FRAUD', ['fraud']), { code: 'INVALID_NAME', message: /'fraud' is already registered; 'FRAUD' differs from it only in case.*Register as 'fraud'/ });
    assert.doesNotThrow(() => assertNoCaseClash('fraud', ['fraud']));
  });
});

describe('aliases', () => {
  it("accepts what MLflow accepts (letters of either case, digits, '_', '-'), and '.'", () => {
    for (const alias of ['champion', 'Champion', 'challenger', 'shadow-2', '2nd', '_canary', 'canary.eu_west', 'v1beta']) {
      assert.equal(aliasNameProblem(alias), undefined, alias);
      assert.doesNotThrow(() => assertAliasName(alias), alias);
    }
  });

  it("refuses 'latest' in any case, which always means the newest version", () => {
    for (const alias of ['latest', 'Latest', 'LATEST']) assert.match(aliasNameProblem(alias) ?? '', /is reserved \(in any case\)/, alias);
  });

  it("refuses MLflow's reserved version aliases v<number>", () => {
    for (const alias of ['v1', 'V12']) assert.match(aliasNameProblem(alias) ?? '', /MLflow reads v<number> as a version/, alias);
  });

  it('refuses stage names in any case', () => {
    for (const alias of ['production', 'Staging', 'archived', 'none', 'NONE']) {
      assert.match(aliasNameProblem(alias) ?? '', /is a stage name/, alias);
    }
  });

  it('refuses names that read as semver labels', () => {
    for (const alias of ['v1.2.0', 'v2.0.0-rc.1']) {
      assert.match(aliasNameProblem(alias) ?? '', /reads as a semver label/, alias);
    }
    assert.ok(aliasNameProblem('1.2.0'));
  });

  it('refuses spaces, slashes, a leading dash, an empty name and more than 255 characters', () => {
    for (const alias of ['', 'has space', 'a/b', '-x', 'a@b']) assert.ok(aliasNameProblem(alias), JSON.stringify(alias));
    assert.equal(aliasNameProblem('a'.repeat(255)), undefined);
    assert.match(aliasNameProblem('a'.repeat(256)) ?? '', /at most 255 characters/);
  });

  it("reads an alias set before v<number> was reserved (its spelling is all a reference checks)", () => {
    assert.equal(aliasSpellingProblem('v1'), undefined);
    assert.ok(aliasSpellingProblem('has space'));
  });

  it('throws INVALID_NAME from assertAliasName', () => {
    assert.throws(() => assertAliasName('latest'), { name: 'RegistryError', code: 'INVALID_NAME', message: /^Invalid alias: / });
  });
});

describe('normalizeSemver', () => {
  it("drops a leading 'v'", () => {
    assert.equal(normalizeSemver('v1.2.0'), '1.2.0');
  });

  it('keeps a canonical label and its pre-release part', () => {
    assert.equal(normalizeSemver('1.2.0'), '1.2.0');
    assert.equal(normalizeSemver('2.0.0-rc.1'), '2.0.0-rc.1');
  });

  it('refuses what is not MAJOR.MINOR.PATCH with INVALID_INPUT, quoting it', () => {
    for (const label of ['abc', '1.2', '', '1.2.x']) {
      assert.throws(() => normalizeSemver(label), { code: 'INVALID_INPUT', message: new RegExp(`Invalid semver label '${label.replace(/\./g, '\\.')}'`) }, label);
    }
  });
});

describe('assertKey', () => {
  it('accepts printable keys up to 250 characters, slashes, spaces and non-ASCII letters included', () => {
    for (const key of ['auc', 'val/loss', 'learning rate', 'ünïcode', 'k'.repeat(250)]) {
      assert.doesNotThrow(() => assertKey('metric', key), key);
    }
  });

  it("refuses an empty key, a key with '=', control characters and more than 250 characters", () => {
    for (const key of ['', 'a=b', 'line\nbreak', 'tab\there', 'nul\u0000', 'k'.repeat(251)]) {
      assert.throws(() => assertKey('param', key), { name: 'RegistryError', code: 'INVALID_INPUT' }, JSON.stringify(key));
    }
  });

  it('names the kind of key in the message', () => {
    assert.throws(() => assertKey('tag', 'a=b'), { message: /^Invalid tag name 'a=b'/ });
    assert.throws(() => assertKey('metric', ''), { message: /^Invalid metric name ''/ });
  });
});
