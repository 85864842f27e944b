import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { MREG } from '../support/mregProcess';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PYTHON_TESTS = path.join(REPO_ROOT, 'python', 'tests');

/**
 * The Python client's own unittest suites (python/tests), against the CLI `npm test` just built.
 * One mocha test per Python test file, so a failure names the file; unittest's output is the message.
 */
describe('the Python client (python/)', () => {
  const files = readdirSync(PYTHON_TESTS).filter((name) => /^test_.*\.py$/.test(name)).sort();

  it('has unittest files to run', () => {
    assert.ok(files.length > 0, `no test_*.py in ${PYTHON_TESTS}`);
  });

  for (const file of files) {
    it(`passes ${file}`, function () {
      this.timeout(10 * 60_000);
      const { MREG_REGISTRY: _ignored, ...env } = process.env;
      const result = spawnSync('python3', ['-m', 'unittest', 'discover', '-s', PYTHON_TESTS, '-p', file], {
        cwd: REPO_ROOT,
        env: { ...env, MREG_CLI: MREG, PYTHONDONTWRITEBYTECODE: '1' },
        encoding: 'utf8',
      });
      if (result.error) assert.fail(`python3 could not be run (${result.error.message}); install Python 3.9 or later.`);
      const output = `${result.stdout}${result.stderr}`;
      assert.equal(result.status, 0, output);
      const ran = /^Ran (\d+) tests? in /m.exec(output);
      assert.ok(ran && Number(ran[1]) > 0, `unittest ran no test in ${file}:\n${output}`);
    });
  }
});
