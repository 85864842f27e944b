import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSnippet } from '../../../src/core/loadSnippets';
import { MREG, mreg } from '../../support/mregProcess';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const REPOSITORY = path.resolve(__dirname, '..', '..', '..');

/** A project with m/1 and m/2 (m/2 in Production), registered by the built mreg. */
function project(): string {
  const cwd = tempFolder('snippets');
  for (const number of [1, 2]) {
    writeFileSync(path.join(cwd, 'weights.bin'), `weights ${number}\n`);
    assert.equal(mreg(['register', 'm', 'weights.bin'], { cwd }).status, 0);
  }
  assert.equal(mreg(['promote', 'm/2', 'production'], { cwd }).status, 0);
  return cwd;
}

describe('loadSnippet', () => {
  it('each kind is pinned to the number and names what follows promotions', () => {
    const version = { model: 'm', number: 2, stage: 'Production' as const, aliases: ['champion'] };
    for (const kind of ['node', 'python', 'pull'] as const) {
      const snippet = loadSnippet(kind, version);
      assert.match(snippet, /Exactly m\/2, verified\. To follow promotions: "m@production" or "m@champion"\./, kind);
      assert.ok(snippet.includes('"m/2"') || snippet.includes('mreg pull m/2 '), kind);
    }
  });

  it('the Node snippet runs as written and finds the verified file of the pinned version', () => {
    const cwd = project();
    mkdirSync(path.join(cwd, 'node_modules'));
    symlinkSync(REPOSITORY, path.join(cwd, 'node_modules', 'model-registry'), 'dir');
    const script = `${loadSnippet('node', { model: 'm', number: 1, stage: 'None', aliases: [] })}console.log(readFileSync(files['weights.bin'], 'utf8'));\n`;
    writeFileSync(path.join(cwd, 'load.mjs'), `import { readFileSync } from 'node:fs';\n${script}`);
    assert.equal(execFileSync(process.execPath, ['load.mjs'], { cwd, encoding: 'utf8' }), 'weights 1\n\n');
  });

  it('the mreg pull line copies the pinned version into a folder', () => {
    const cwd = project();
    const bin = path.join(cwd, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'mreg'), `#!/bin/sh\nexec "${process.execPath}" "${MREG}" "$@"\n`);
    chmodSync(path.join(bin, 'mreg'), 0o755);
    execFileSync('/bin/sh', ['-c', loadSnippet('pull', { model: 'm', number: 2, stage: 'Production', aliases: [] })], { cwd, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(readFileSync(path.join(cwd, 'models', 'm-2', 'weights.bin'), 'utf8'), 'weights 2\n');
  });
});
