import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRegistryError } from '../../../src/core/registryError';
import { assertCleanTree, captureGitLineage, withoutCredentials } from '../../../src/lineage/gitLineage';
import { git, gitRepository } from '../../support/gitRepository';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

describe('captureGitLineage', () => {
  it('records no repository as null', async () => {
    assert.equal(await captureGitLineage(tempFolder('no-git')), null);
  });

  it('records commit, branch, author, date, subject, remote without credentials, and ahead/behind', async () => {
    const dir = gitRepository(tempFolder('git'), { 'train.py': 'print(1)\n' });
    git(dir, 'commit', '--quiet', '--allow-empty', '--message', 'Tune the learning rate\n\nLonger explanation.');
    git(dir, 'remote', 'add', 'origin', 'https://ada:s3cret-token@git.example.com/team/model.git');
    // An upstream one commit behind, without any network: the remote-tracking ref is set by hand.
    git(dir, 'update-ref', 'refs/remotes/origin/main', 'HEAD~1');
    git(dir, 'config', 'branch.main.remote', 'origin');
    git(dir, 'config', 'branch.main.merge', 'refs/heads/main');

    const lineage = await captureGitLineage(path.join(dir));
    assert.ok(lineage);
    assert.equal(lineage.commit, git(dir, 'rev-parse', 'HEAD').trim());
    assert.equal(lineage.branch, 'main');
    assert.equal(lineage.remote, 'https://git.example.com/team/model.git');
    assert.equal(lineage.author, 'Ada Lovelace <ada@example.com>');
    assert.equal(lineage.date, '2024-03-01T12:00:00+01:00');
    assert.equal(lineage.subject, 'Tune the learning rate');
    assert.equal(lineage.upstream, 'origin/main');
    assert.equal(lineage.ahead, 1);
    assert.equal(lineage.behind, 0);
    assert.equal(lineage.dirty, false);
    assert.equal(lineage.diffSha256, undefined);
    assert.doesNotMatch(JSON.stringify(lineage), /s3cret/);
  });

  it('records modified and untracked files and the sha256 of the exact bytes of git diff HEAD --full-index', async () => {
    const dir = gitRepository(tempFolder('git-dirty'), { 'train.py': 'print(1)\n', 'notes.txt': 'plain\n', 'registry/keep.txt': 'x' });
    // Bytes that are not UTF-8: decoding them as text would make these two changes hash alike.
    writeFileSync(path.join(dir, 'notes.txt'), Buffer.from([0x70, 0xff, 0x0a]));
    writeFileSync(path.join(dir, 'new.csv'), 'a,b\n');
    writeFileSync(path.join(dir, 'registry', 'ignored.json'), '{}');
    const first = await captureGitLineage(dir, { ignore: [path.join(dir, 'registry')] });
    assert.ok(first);
    assert.equal(first.dirty, true);
    assert.deepEqual(first.modified, ['notes.txt']);
    assert.deepEqual(first.untracked, ['new.csv']);
    const diff = execFileSync('git', ['diff', 'HEAD', '--full-index'], { cwd: dir });
    assert.equal(first.diffSha256, createHash('sha256').update(diff).digest('hex'));

    writeFileSync(path.join(dir, 'notes.txt'), Buffer.from([0x70, 0xfe, 0x0a]));
    const second = await captureGitLineage(dir, { ignore: [path.join(dir, 'registry')] });
    assert.notEqual(second?.diffSha256, first.diffSha256);

    // A binary file's change is told apart by its content, not just by its name.
    writeFileSync(path.join(dir, 'new.csv'), Buffer.from([0, 1, 2]));
    git(dir, 'add', 'new.csv');
    const third = await captureGitLineage(dir);
    writeFileSync(path.join(dir, 'new.csv'), Buffer.from([0, 1, 3]));
    const fourth = await captureGitLineage(dir);
    assert.notEqual(third?.diffSha256, fourth?.diffSha256);
  });

  it('runs none of the programs an untrusted repository configures', async () => {
    const outside = tempFolder('git-evil-tools');
    const markers = path.join(outside, 'markers');
    const evil = path.join(outside, 'evil.sh');
    // Each program leaves a marker named after how it was started, and passes its input through.
    writeFileSync(evil, `#!/bin/sh\nmkdir -p '${markers}'\ntouch '${markers}'/"$1"\ncat 2>/dev/null\nexit 0\n`);
    chmodSync(evil, 0o755);
    const dir = gitRepository(tempFolder('git-evil'), { '.gitattributes': '* filter=evil diff=evil\n', 'model.txt': 'weights v1\n' });
    git(dir, 'config', 'core.fsmonitor', `${evil} fsmonitor`);
    git(dir, 'config', 'filter.evil.clean', `${evil} clean`);
    git(dir, 'config', 'filter.evil.smudge', `${evil} smudge`);
    git(dir, 'config', 'diff.evil.textconv', `${evil} textconv`);
    git(dir, 'config', 'core.pager', `${evil} pager`);
    git(dir, 'config', 'credential.helper', `!${evil} credential`);
    git(dir, 'config', 'log.showSignature', 'true');
    git(dir, 'config', 'gpg.program', `${evil} gpg`);
    // A setting can also arrive through an included file that the repository itself ships.
    writeFiles(dir, { 'tools/git.inc': `[diff]\n\texternal = ${evil} external\n` });
    git(dir, 'config', 'include.path', '../tools/git.inc');
    writeFiles(dir, { '.git/hooks/post-index-change': `#!/bin/sh\n${evil} hook\n` });
    chmodSync(path.join(dir, '.git/hooks/post-index-change'), 0o755);
    writeFileSync(path.join(dir, 'model.txt'), 'weights v2\n');

    const lineage = await captureGitLineage(dir);
    assert.equal(lineage?.dirty, true);
    assert.deepEqual(lineage?.modified, ['model.txt']);
    assert.match(lineage?.diffSha256 ?? '', /^[0-9a-f]{64}$/);
    assert.equal(existsSync(markers), false, `capture ran: ${existsSync(markers) ? readdirSync(markers).join(', ') : ''}`);

    // The same repository run by plain git does run them: the settings above are live.
    git(dir, 'status');
    git(dir, 'diff', 'HEAD');
    git(dir, 'diff', 'HEAD', '--no-ext-diff');
    const ran = readdirSync(markers);
    for (const marker of ['fsmonitor', 'clean', 'external', 'textconv']) assert.ok(ran.includes(marker), `plain git did not run ${marker}: ${ran.join(', ')}`);
  });
});

describe('assertCleanTree', () => {
  it('refuses a dirty tree, listing the files', () => {
    assert.throws(
      () => assertCleanTree({ commit: 'a'.repeat(40), dirty: true, modified: ['train.py'], untracked: ['scratch.ipynb'] }),
      (error) => isRegistryError(error, 'DIRTY_TREE') && /modified: train\.py/.test(error.message) && /untracked: scratch\.ipynb/.test(error.message),
    );
    assert.doesNotThrow(() => assertCleanTree({ commit: 'a'.repeat(40), dirty: false }));
    assert.doesNotThrow(() => assertCleanTree(null));
  });
});

describe('withoutCredentials', () => {
  it('removes user and password from URLs, keeping ssh login names', () => {
    assert.equal(withoutCredentials('https://user:pass@host.example/a/b.git'), 'https://host.example/a/b.git');
    assert.equal(withoutCredentials('https://ghp_token@host.example/a.git'), 'https://host.example/a.git');
    assert.equal(withoutCredentials('ssh://git:pw@host.example/a.git'), 'ssh://git@host.example/a.git');
    assert.equal(withoutCredentials('git@host.example:team/a.git'), 'git@host.example:team/a.git');
    assert.equal(withoutCredentials('https://host.example/a.git'), 'https://host.example/a.git');
  });
});
