import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { json, mreg } from '../support/mregProcess';
import { RADOSGW_CREDENTIALS_ENV, radosgw } from '../support/radosgw';
import { makeClient, ok, registryContents } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

function register(cwd: string, content: string, env?: NodeJS.ProcessEnv): void {
  writeFileSync(path.join(cwd, 'w.bin'), content);
  ok(mreg(['register', 'm', 'w.bin'], { cwd, env }), 'register');
}

function statusOf(cwd: string, env?: NodeJS.ProcessEnv): { state: string; reachable: boolean; storeId?: string; problem?: string } {
  return json(ok(mreg(['status', '--json'], { cwd, env }), 'status'));
}

describe('shared store identity', () => {
  it('a folder share that is not mounted (its empty mount point there): sync refuses, writes nothing and never says synced', () => {
    const root = tempFolder('store-unmounted');
    const share = path.join(root, 'share');
    const writer = makeClient(root, 'writer', share);
    const reader = makeClient(root, 'reader', share);
    register(writer, 'weights 1');
    ok(mreg(['sync'], { cwd: writer }), 'first sync');
    ok(mreg(['sync'], { cwd: reader }), 'reader sync');

    // The share goes away; what is left is the empty folder it was mounted on.
    renameSync(share, `${share}-elsewhere`);
    mkdirSync(share);
    register(writer, 'weights 2');
    const sync = mreg(['sync'], { cwd: writer });
    assert.equal(sync.status, 1, sync.stdout);
    assert.match(sync.stderr, /missing or empty.*share that is not mounted/s);
    assert.doesNotMatch(sync.stdout + sync.stderr, /Synced|unexpected/);
    assert.deepEqual(filesUnder(share), [], 'nothing was written into the mount point');
    const status = statusOf(writer);
    assert.equal(status.state, 'unreachable');
    assert.equal(status.reachable, false);
    assert.match(String(status.problem), /missing or empty/);
    // A client with nothing to push is refused the same way: it must not report the empty folder as synced.
    const readerSync = mreg(['sync'], { cwd: reader });
    assert.equal(readerSync.status, 1);
    assert.equal(statusOf(reader).state, 'unreachable');

    // Mounted again: the pending version goes up and reaches the other client.
    rmdirSync(share);
    renameSync(`${share}-elsewhere`, share);
    ok(mreg(['sync'], { cwd: writer }), 'sync once mounted');
    ok(mreg(['sync'], { cwd: reader }), 'reader sync once mounted');
    assert.equal(statusOf(writer).state, 'synced');
    assert.deepEqual(registryContents(reader), registryContents(writer));
    assert.equal(registryContents(reader).m.length, 2);
    const identity = JSON.parse(readFileSync(path.join(share, 'store.json'), 'utf8')) as { id: string };
    assert.equal(statusOf(writer).storeId, identity.id, 'the client remembers the id of its store');
  });

  it('a location holding another store: sync refuses as wrong store and writes nothing there', () => {
    const root = tempFolder('store-wrong');
    const share = path.join(root, 'share');
    const other = path.join(root, 'other');
    const client = makeClient(root, 'client', share);
    register(client, 'ours');
    ok(mreg(['sync'], { cwd: client }), 'sync');
    const stranger = makeClient(root, 'stranger', other);
    register(stranger, 'theirs');
    ok(mreg(['sync'], { cwd: stranger }), 'stranger sync');
    const before = filesUnder(other);

    // Another team's share is mounted where ours was.
    renameSync(share, `${share}-ours`);
    renameSync(other, share);
    register(client, 'ours 2');
    const sync = mreg(['sync'], { cwd: client });
    assert.equal(sync.status, 1);
    assert.match(sync.stderr, /holds another shared store/);
    assert.deepEqual(filesUnder(share), before, 'the other store is untouched');
    assert.equal(statusOf(client).state, 'wrong-store');
    assert.equal(registryContents(client).m.length, 2, 'nothing of the other store was pulled');
  });

  it('mreg store init creates a store once; another init adopts it; a folder holding other files is refused', () => {
    const root = tempFolder('store-init');
    const store = path.join(root, 'store');
    const first = path.join(root, 'first');
    const second = path.join(root, 'second');
    for (const dir of [first, second]) {
      mkdirSync(dir);
      ok(mreg(['init'], { cwd: dir }), 'init');
    }
    const created = json<{ id: string; created: boolean }>(ok(mreg(['store', 'init', store, '--json'], { cwd: first }), 'store init'));
    assert.equal(created.created, true);
    const identity = JSON.parse(readFileSync(path.join(store, 'store.json'), 'utf8')) as { id: string; format: number; created: string };
    assert.equal(identity.id, created.id);
    assert.equal(identity.format, 1);
    assert.ok(!Number.isNaN(Date.parse(identity.created)));
    const adopted = json<{ id: string; created: boolean }>(ok(mreg(['store', 'init', store, '--json'], { cwd: second }), 'second store init'));
    assert.deepEqual(adopted, { ...adopted, id: created.id, created: false });
    assert.equal(readFileSync(path.join(store, 'store.json'), 'utf8').includes(created.id), true, 'store.json is never rewritten');

    const photos = path.join(root, 'photos');
    mkdirSync(photos);
    writeFileSync(path.join(photos, 'holiday.jpg'), 'jpeg');
    const refused = mreg(['store', 'init', photos], { cwd: first });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /not a Model Registry store/);
    assert.deepEqual(filesUnder(photos), ['holiday.jpg']);
  });

  it('a first sync into an empty location creates the store and says so', () => {
    const root = tempFolder('store-first');
    const store = path.join(root, 'store');
    const client = makeClient(root, 'client', store);
    register(client, 'first');
    const sync = ok(mreg(['sync'], { cwd: client }), 'sync');
    assert.match(sync.stdout, /Created a new shared store here \(id [0-9a-f-]{36}\)/);
    assert.ok(filesUnder(store).includes('store.json'));
    assert.doesNotMatch(ok(mreg(['sync'], { cwd: client }), 'second sync').stdout, /Created a new shared store/);
  });

  describe('with an S3 store (radosgw on 127.0.0.1)', () => {
    it('an emptied bucket prefix (the identity object gone with everything else) is unreachable: nothing is written there', async function () {
      this.timeout(120_000);
      const gateway = await radosgw();
      const bucket = await gateway.bucket();
      const root = tempFolder('store-s3-empty');
      const env = RADOSGW_CREDENTIALS_ENV;
      const client = makeClient(root, 'client', gateway.uri(bucket, 'team'), env);
      register(client, 'first', env);
      ok(mreg(['sync'], { cwd: client, env }), 'sync');
      const s3 = gateway.client();
      try {
        const listed = async () => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'team/' }))).Contents ?? []).map((object) => object.Key!);
        const keys = await listed();
        assert.ok(keys.includes('team/store.json'));
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));

        register(client, 'second', env);
        const sync = mreg(['sync'], { cwd: client, env });
        assert.equal(sync.status, 1);
        assert.match(sync.stderr, /missing or empty/);
        assert.deepEqual(await listed(), [], 'nothing was written under the prefix');
        assert.equal(statusOf(client, env).state, 'unreachable');
      } finally {
        s3.destroy();
      }
    });
  });
});
