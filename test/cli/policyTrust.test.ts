import assert from 'node:assert/strict';
import { appendFileSync, cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

describe('mreg policy trust', () => {
  it('runs policy.yaml webhook commands only after this clone approved the file as it is', () => {
    const marker = path.join(tempFolder('marker'), 'hook-ran');
    const hook = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(marker)}, 'x')`];
    const cwd = writeFiles(tempFolder('policy-trust'), { 'model.bin': 'weights', '.modelregistry/policy.yaml': `webhooks:\n  - command: ${JSON.stringify(hook)}\n` });
    const folder = path.join(cwd, '.modelregistry');

    const fresh = mreg(['register', 'fraud', 'model.bin'], { cwd });
    assert.equal(fresh.status, 0, fresh.stderr);
    assert.equal(existsSync(marker), false, 'a fresh clone ran a command from policy.yaml');
    assert.match(fresh.stderr, new RegExp(`^mreg: warning: webhook commands from .*policy\\.yaml were not run: this clone has not approved this version of the file \\(sha256 [0-9a-f]{12}…\\)\\. Review its commands, then run: mreg policy trust --registry ${folder.replace(/[\\/.]/g, '\\$&')}$`, 'm'));

    const trusted = mreg(['policy', 'trust', '--registry', folder], { cwd });
    assert.equal(trusted.status, 0, trusted.stderr);
    assert.match(trusted.stdout, /^Approved .*policy\.yaml \(sha256 [0-9a-f]{12}…\) for this clone\.\nThese webhook commands may now run on registry events:\n {2}".*node.*" "-e" /m);
    const approved = mreg(['register', 'second', 'model.bin'], { cwd });
    assert.equal(approved.status, 0, approved.stderr);
    assert.equal(approved.stderr, '');
    assert.equal(readFileSync(marker, 'utf8'), 'x');

    appendFileSync(path.join(folder, 'policy.yaml'), `  - command: ${JSON.stringify(hook)}\n`);
    const changed = mreg(['register', 'third', 'model.bin'], { cwd });
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(changed.stderr, /were not run: this clone has not approved this version of the file/);
    assert.equal(readFileSync(marker, 'utf8'), 'x');

    // A copy of the project, approval record included, is another clone.
    assert.equal(mreg(['policy', 'trust'], { cwd }).status, 0);
    const copy = path.join(tempFolder('copy'), 'project');
    cpSync(cwd, copy, { recursive: true });
    const copied = mreg(['register', 'copied', 'model.bin'], { cwd: copy });
    assert.equal(copied.status, 0, copied.stderr);
    assert.match(copied.stderr, /were not run/);
    assert.equal(readFileSync(marker, 'utf8'), 'x');
  });

  it('refuses to approve a missing or invalid policy file', () => {
    const cwd = writeFiles(tempFolder('policy-trust'), { '.modelregistry/.keep': '' });
    const missing = mreg(['policy', 'trust'], { cwd });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /There is no .*policy\.yaml to approve/);
    writeFiles(cwd, { '.modelregistry/policy.yaml': 'webhooks: [{command: []}]\n' });
    const invalid = mreg(['policy', 'trust'], { cwd });
    assert.equal(invalid.status, 1);
    assert.match(invalid.stderr, /is not a valid policy/);
    rmSync(path.join(cwd, '.modelregistry', 'policy.yaml'));
  });
});
