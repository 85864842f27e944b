import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, mreg } from '../support/mregProcess';
import { makeClient, ok } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface VerifyJson {
  problems: { kind: string; message: string }[];
  notFetched: { sha256: string; owner: string }[];
  fetched: number;
}

describe('mreg verify on a client that syncs', () => {
  it('lists the artifacts of pulled versions as not fetched yet, not missing; --fetch downloads and checks them', () => {
    const root = tempFolder('verify-second-client');
    const store = path.join(root, 'store');
    const writer = makeClient(root, 'writer', store);
    const shas: string[] = [];
    for (const content of ['one', 'two']) {
      writeFileSync(path.join(writer, 'w.bin'), `weights ${content}`);
      ok(mreg(['register', 'm', 'w.bin'], { cwd: writer }), 'register');
    }
    for (const ref of ['m/1', 'm/2']) shas.push(json<{ manifest: { artifacts: { sha256: string }[] } }>(ok(mreg(['show', ref, '--json'], { cwd: writer }), 'show')).manifest.artifacts[0].sha256);
    ok(mreg(['sync'], { cwd: writer }), 'writer sync');

    const reader = makeClient(root, 'reader', store);
    ok(mreg(['sync'], { cwd: reader }), 'reader sync');
    const verify = mreg(['verify', '--json'], { cwd: reader });
    assert.equal(verify.status, 0, `verify after a normal sync passes: ${verify.stderr}`);
    const report = json<VerifyJson>(verify);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.notFetched.map((blob) => blob.sha256).sort(), [...shas].sort());
    assert.match(ok(mreg(['verify'], { cwd: reader }), 'verify text').stdout, /Not fetched yet: 2 blob\(s\)/);

    const fetched = json<VerifyJson>(ok(mreg(['verify', '--fetch', '--json'], { cwd: reader }), 'verify --fetch'));
    assert.deepEqual([fetched.fetched, fetched.notFetched.length, fetched.problems.length], [2, 0, 0]);
    const after = json<VerifyJson>(ok(mreg(['verify', '--json'], { cwd: reader }), 'verify after fetch'));
    assert.deepEqual([after.notFetched.length, after.problems.length], [0, 0]);

    // A third client: one blob damaged in the store, one gone from it.
    const third = makeClient(root, 'third', store);
    ok(mreg(['sync'], { cwd: third }), 'third sync');
    const blobFile = (sha256: string) => path.join(store, 'blobs', 'sha256', sha256.slice(0, 2), sha256);
    writeFileSync(blobFile(shas[0]), 'not the weights');
    rmSync(blobFile(shas[1]));
    const missing = mreg(['verify', '--json'], { cwd: third });
    assert.equal(missing.status, 1);
    assert.deepEqual(json<VerifyJson>(missing).problems.map((problem) => problem.kind), ['blob-missing']);
    assert.match(json<VerifyJson>(missing).problems[0].message, /missing here and in the shared store/);
    const damaged = mreg(['verify', '--fetch', '--json'], { cwd: third });
    assert.equal(damaged.status, 1);
    assert.deepEqual(json<VerifyJson>(damaged).problems.map((problem) => problem.kind).sort(), ['blob-damaged', 'blob-missing']);
  });
});
