import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, mreg, type MregResult } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface ErrorDocument {
  error: { code: string; message: string; exitCode: number };
}

/** The JSON line `--json` ends stderr with on a failure. */
function errorDocument(result: MregResult): ErrorDocument {
  const lines = result.stderr.trimEnd().split('\n');
  return JSON.parse(lines[lines.length - 1]) as ErrorDocument;
}

function project(): string {
  return writeFiles(tempFolder('cli-machine'), { 'model.bin': 'weights', 'other.bin': 'other weights' });
}

describe('mreg for programs (--json)', () => {
  describe('failures', () => {
    it('end stderr with a JSON error document carrying the code, the message and the exit code', () => {
      const cwd = project();
      const missing = mreg(['resolve', 'fraud@production', '--json'], { cwd });
      assert.equal(missing.status, 1);
      assert.equal(missing.stdout, '');
      assert.deepEqual(errorDocument(missing), {
        error: { code: 'NOT_FOUND', message: "No model named 'fraud'. The registry has no models yet; register one with: mreg register <model> <file>.", exitCode: 1 },
      });
      assert.equal(missing.stderr.trim().split('\n').length, 1, 'the document replaces the text line');
    });

    it('print the same one text line as before without --json', () => {
      const cwd = project();
      const missing = mreg(['resolve', 'fraud@production'], { cwd });
      assert.equal(missing.status, 1);
      assert.equal(missing.stderr, "mreg: No model named 'fraud'. The registry has no models yet; register one with: mreg register <model> <file>.\n");
    });

    it('give a usage error the code USAGE and exit 2, with --json anywhere on the line, before anything is written', () => {
      const cwd = project();
      for (const args of [
        ['--json', 'register', 'm', 'model.bin', '--metric', 'auc=nan'],
        ['register', 'm', 'model.bin', '--metric', 'auc=nan', '--json'],
      ]) {
        const refused = mreg(args, { cwd });
        assert.equal(refused.status, 2);
        assert.deepEqual(errorDocument(refused), { error: { code: 'USAGE', message: "--metric auc=nan: 'nan' is not a finite number.", exitCode: 2 } });
      }
      const unknown = errorDocument(mreg(['register', 'm', 'model.bin', '--no-such-flag', '--json'], { cwd }));
      assert.deepEqual([unknown.error.code, unknown.error.message], ['USAGE', "unknown option '--no-such-flag'"]);
      assert.equal(existsSync(path.join(cwd, '.modelregistry')), false, 'nothing was written');
    });

    it('keep the gate evaluation on stdout and say GATE_FAILED with exit 3 on stderr', () => {
      const cwd = project();
      assert.equal(mreg(['register', 'fraud', 'model.bin', '--metric', 'auc=0.80'], { cwd }).status, 0);
      writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), ['rules:', '  - models: fraud', '    stages: Production', '    thresholds: ["auc >= 0.9"]'].join('\n'));
      const refused = mreg(['promote', 'fraud/1', 'production', '--json'], { cwd });
      assert.equal(refused.status, 3);
      const evaluation = json<{ passed: boolean; results: { rule: string; passed: boolean }[] }>(refused);
      assert.deepEqual([evaluation.passed, evaluation.results.map((r) => [r.rule, r.passed])], [false, [['auc >= 0.9', false]]]);
      const { error } = errorDocument(refused);
      assert.deepEqual([error.code, error.exitCode], ['GATE_FAILED', 3]);
      assert.match(error.message, /^fraud\/1 may not move to Production: 1 of 1 policy rule\(s\) failed \(auc >= 0\.9\)/);
    });
  });

  describe('register', () => {
    it('takes --param-json values with their JSON type, so the string "0.1" stays a string', () => {
      const cwd = project();
      const registered = mreg(['register', 'm', 'model.bin', '--param', 'lr=0.1', '--param-json', 'label="0.1"', '--param-json', 'seed=42', '--param-json', 'amp=false', '--param-json', 'note=null', '--json'], { cwd });
      assert.equal(registered.status, 0, registered.stderr);
      const shown = json<{ manifest: { lineage: { params: unknown } } }>(mreg(['show', 'm/1', '--json'], { cwd }));
      assert.deepEqual(shown.manifest.lineage.params, { lr: 0.1, label: '0.1', seed: 42, amp: false, note: null });
    });

    it('refuses a --param-json value that is not JSON or not a scalar, writing nothing', () => {
      const cwd = project();
      const notJson = mreg(['register', 'm', 'model.bin', '--param-json', 'label=abc', '--json'], { cwd });
      assert.equal(notJson.status, 2);
      assert.match(errorDocument(notJson).error.message, /--param-json label=abc: 'abc' is not JSON; write a string in double quotes/);
      const list = mreg(['register', 'm', 'model.bin', '--param-json', 'layers=[1,2]', '--json'], { cwd });
      assert.match(errorDocument(list).error.message, /a param is a JSON string, number, boolean or null, not an array/);
      for (const text of ['NaN', '-Infinity']) {
        const notANumber = mreg(['register', 'm', 'model.bin', '--param-json', `lr=${text}`, '--json'], { cwd });
        assert.match(errorDocument(notANumber).error.message, new RegExp(`--param-json lr=${text}: JSON has no NaN or infinity`));
      }
      assert.equal(existsSync(path.join(cwd, '.modelregistry')), false);
    });

    it('prints the whole version record, as mreg versions does, besides the fields it always had', () => {
      const cwd = project();
      const registered = json<Record<string, unknown>>(mreg(['register', 'm', 'model.bin', '--tag', 'team=risk', '--description', 'first', '--json'], { cwd }));
      const [listed] = json<Record<string, unknown>[]>(mreg(['versions', 'm', '--json'], { cwd }));
      for (const [key, value] of Object.entries(listed)) assert.deepEqual(registered[key], value, key);
      assert.equal(registered.version, 1);
      assert.deepEqual((registered.artifacts as { path: string }[]).map((a) => a.path), ['model.bin']);
    });
  });
});
