import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../src/index';
import { openSyncService } from '../../src/sync/syncService';
import { json, MREG, mreg, mregAsync, type MregResult } from '../support/mregProcess';
import { RADOSGW_CREDENTIALS_ENV, startRadosgwServer, withRadosgwStore } from '../support/radosgw';
import { killWhen, makeClient, ok, registryContents } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface StoreGc {
  unreferenced: { count: number; bytes: number };
  removed: { count: number; bytes: number; blobs: { sha256: string; size: number }[] };
  recent: { count: number };
  abandonedUploads: { count: number; bytes: number };
}
interface GcJson {
  deleted: { model: string; number: number }[];
  store?: StoreGc;
  storeSkipped?: string;
}

function setPolicy(cwd: string, retention: string): void {
  writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), `retention:\n${retention}`);
}

function numbers(cwd: string, model: string): number[] {
  return json<{ number: number }[]>(ok(mreg(['versions', model, '--json'], { cwd }), 'versions')).map((version) => version.number);
}

/** Every live version's artifacts come down from the store into a fresh client, verified by sha256. */
async function assertEveryLiveVersionResolves(root: string, store: string, env?: NodeJS.ProcessEnv): Promise<number> {
  const fresh = makeClient(root, `fresh-${Date.now()}`, store, env);
  ok(await mregAsync(['sync'], { cwd: fresh, env }), 'sync a fresh client');
  const verify = await mregAsync(['verify', '--store', '--json'], { cwd: fresh, env });
  assert.deepEqual(json<{ problems: unknown[] }>(verify).problems, [], 'mreg verify --store finds no problem');
  assert.equal(verify.status, 0);
  let resolved = 0;
  for (const [model, versions] of Object.entries(registryContents(fresh))) {
    for (const version of versions) {
      ok(await mregAsync(['pull', `${model}/${version.number}`, '--to', path.join('out', `${model}-${version.number}`)], { cwd: fresh, env }), `pull ${model}/${version.number}`);
      resolved += 1;
    }
  }
  return resolved;
}

describe('mreg gc with a shared store', () => {
  it('deletes a version on every client through its tombstone, never reuses its number, and merges concurrent deletions', async function () {
    this.timeout(120_000);
    const root = tempFolder('store-gc-tombstones');
    const store = path.join(root, 'store');
    const [a, b] = ['a', 'b'].map((name) => makeClient(root, name, store));
    for (const content of ['one', 'two', 'three']) {
      writeFileSync(path.join(a, 'w.bin'), content);
      ok(mreg(['register', 'm', 'w.bin'], { cwd: a }), 'register');
    }
    ok(mreg(['sync'], { cwd: a }), 'sync a');
    ok(mreg(['sync'], { cwd: b }), 'sync b');

    setPolicy(a, '  keepLast: 2\n');
    const gc = json<GcJson>(ok(mreg(['gc', '--json'], { cwd: a }), 'gc'));
    assert.deepEqual(gc.deleted.map((version) => `${version.model}/${version.number}`), ['m/1']);
    ok(mreg(['sync'], { cwd: b }), 'sync b');
    assert.deepEqual(numbers(b, 'm'), [3, 2], 'the tombstone reached b');
    assert.match(mreg(['show', 'm/1'], { cwd: b }).stderr, /m\/1 was deleted on .* \(retention: older than the last 2/);

    writeFileSync(path.join(b, 'w.bin'), 'four');
    ok(mreg(['register', 'm', 'w.bin'], { cwd: b }), 'register on b');
    ok(mreg(['sync'], { cwd: b }), 'sync b');
    ok(mreg(['sync'], { cwd: a }), 'sync a');
    assert.deepEqual(numbers(a, 'm'), [4, 3, 2], 'the next number is 4, not 1');

    // Both clients collect while the store is away: each deletes m/2 and m/3 on its own.
    renameSync(store, `${store}-away`);
    for (const cwd of [a, b]) {
      setPolicy(cwd, '  keepLast: 1\n');
      const offline = json<GcJson>(ok(mreg(['gc', '--json'], { cwd }), 'gc offline'));
      assert.deepEqual(offline.deleted.map((version) => version.number), [2, 3]);
      assert.match(offline.storeSkipped ?? '', /not reachable/);
    }
    renameSync(`${store}-away`, store);
    ok(mreg(['sync'], { cwd: a }), 'sync a');
    const merged = json<{ rebase: { dropped: { number: number; why: string }[] } }>(ok(mreg(['sync', '--json'], { cwd: b }), 'sync b'));
    assert.deepEqual(merged.rebase.dropped.map((item) => [item.number, item.why]), [
      [2, 'the version was deleted elsewhere (retention)'],
      [3, 'the version was deleted elsewhere (retention)'],
    ]);
    ok(mreg(['sync'], { cwd: a }), 'sync a');
    assert.deepEqual(registryContents(a), registryContents(b));
    assert.deepEqual(numbers(b, 'm'), [4]);
    await assertEveryLiveVersionResolves(root, store);
  });

  /** Two writers register and push, reusing blobs, while a collector keeping one version per model runs gc after gc. */
  async function gcRacingPushes(root: string, store: string, env?: NodeJS.ProcessEnv): Promise<void> {
    const collector = makeClient(root, 'collector', store, env);
    const writers = ['w0', 'w1'].map((name) => makeClient(root, name, store, env));
    const rounds = 8;
    // Each writer alternates between two files, so every registration reuses a blob that the
    // collector, keeping only the newest version of each model, has just found unreferenced.
    writers.forEach((cwd, index) => {
      for (const file of [0, 1]) writeFileSync(path.join(cwd, `blob-${file}.bin`), Buffer.alloc(256 * 1024, 16 * index + file + 1));
      // A new big file per round widens the window between a push finding a reused blob and its batch.
      for (let round = 0; round < rounds; round++) writeFileSync(path.join(cwd, `zz-new-${round}.bin`), Buffer.alloc(2 * 1024 * 1024, 100 + 16 * index + round));
    });
    setPolicy(collector, '  keepLast: 1\n  blobGraceHours: 0\n');

    let writing = true;
    const write = async (cwd: string, index: number): Promise<MregResult[]> => {
      const results: MregResult[] = [];
      for (let round = 0; round < rounds; round++) {
        results.push(await mregAsync(['register', `model-${index}`, `blob-${round % 2}.bin`, `zz-new-${round}.bin`], { cwd, env }));
        results.push(await mregAsync(['sync'], { cwd, env }));
      }
      return results;
    };
    const writing$ = Promise.all(writers.map(write)).finally(() => (writing = false));
    const collecting = (async () => {
      const reports: GcJson[] = [];
      while (writing) {
        const result = await mregAsync(['gc', '--json'], { cwd: collector, env });
        ok(result, 'gc');
        reports.push(json<GcJson>(result));
      }
      return reports;
    })();
    for (const result of (await writing$).flat()) ok(result, 'register or sync');
    const reports = await collecting;
    const removed = reports.reduce((sum, report) => sum + (report.store?.removed.count ?? 0), 0);
    assert.ok(reports.length >= 3, `${reports.length} gc runs alongside the writers`);
    assert.ok(removed > 0, 'gc removed blobs from the store while the writers reused them');

    for (const cwd of [...writers, collector]) ok(await mregAsync(['sync'], { cwd, env }), 'final sync');
    const resolved = await assertEveryLiveVersionResolves(root, store, env);
    assert.ok(resolved >= 2, 'the newest version of each model is live');
    for (const [index, cwd] of writers.entries()) {
      assert.equal(numbers(cwd, `model-${index}`).length >= 1, true);
      assert.equal(Math.max(...numbers(cwd, `model-${index}`)), rounds, 'every registration got its own number');
    }
    assert.deepEqual(json<{ problems: unknown[] }>(ok(await mregAsync(['verify', '--store', '--json'], { cwd: collector, env }), 'verify --store')).problems, []);
  }

  it('never removes a blob a live version refers to while other processes register and push alongside it', async function () {
    this.timeout(300_000);
    const root = tempFolder('store-gc-race');
    await gcRacingPushes(root, path.join(root, 'store'));
  });

  it('the same race on an S3 store (radosgw): gc loses nothing a push refers to', async function () {
    this.timeout(300_000);
    await withRadosgwStore((uri, env) => gcRacingPushes(tempFolder('store-gc-race-s3'), uri, env));
  });

  it('a push whose batch names a blob a gc removes while the push uploads puts the blob back', async function () {
    this.timeout(120_000);
    const root = tempFolder('store-gc-window');
    const store = path.join(root, 'store');
    const collector = makeClient(root, 'collector', store);
    const writer = makeClient(root, 'writer', store);
    writeFileSync(path.join(writer, 'reused.bin'), 'weights used again later');
    writeFileSync(path.join(writer, 'other.bin'), 'other weights');
    writeFileSync(path.join(writer, 'zz-big.bin'), Buffer.alloc(8 * 1024 * 1024, 7));
    ok(mreg(['register', 'm', 'reused.bin'], { cwd: writer }), 'register m/1');
    ok(mreg(['register', 'm', 'other.bin'], { cwd: writer }), 'register m/2');
    ok(mreg(['sync'], { cwd: writer }), 'sync');
    setPolicy(collector, '  keepLast: 1\n');
    assert.deepEqual(json<GcJson>(ok(mreg(['gc', '--json'], { cwd: collector }), 'gc')).deleted.map((version) => version.number), [1]);
    ok(mreg(['sync'], { cwd: writer }), 'the writer pulls the tombstone');

    const registry = await Registry.open({ folder: path.join(writer, '.modelregistry'), actor: 'writer@example.com' });
    try {
      // m/3 reuses m/1's blob: the push finds it in the store and skips it, then uploads zz-big.bin.
      await registry.register({ model: 'm', paths: [path.join(writer, 'reused.bin'), path.join(writer, 'zz-big.bin')], git: null });
      const service = (await openSyncService(registry))!;
      let sweep: GcJson | undefined;
      try {
        await service.sync({
          onProgress: () => {
            // Mid-upload, before the batch exists: a gc that sees no version using the reused blob removes it.
            sweep ??= json<GcJson>(ok(mreg(['gc', '--grace-hours', '0', '--json'], { cwd: collector }), 'gc mid-push'));
          },
        });
      } finally {
        service.store.close();
      }
      assert.equal(sweep?.store?.removed.count, 1, 'the gc removed the reused blob while the push was uploading');
    } finally {
      await registry.close();
    }
    ok(mreg(['sync'], { cwd: collector }), 'sync the collector');
    assert.deepEqual(numbers(collector, 'm'), [3, 2]);
    assert.equal(await assertEveryLiveVersionResolves(root, store), 2);
  });

  it('removes the partial copies of uploads abandoned mid-way; a client that comes back copies again', async function () {
    this.timeout(180_000);
    const root = tempFolder('store-gc-partial');
    const store = path.join(root, 'store');
    const writer = makeClient(root, 'writer', store);
    const collector = makeClient(root, 'collector', store);
    const file = randomBytes(64 * 1024 * 1024);
    writeFileSync(path.join(writer, 'big.bin'), file);
    ok(mreg(['register', 'm', 'big.bin'], { cwd: writer }), 'register');
    const { MREG_REGISTRY: _ignored, ...env } = process.env;
    const partials = () => (existsSync(path.join(store, 'tmp')) ? readdirSync(path.join(store, 'tmp')).filter((name) => name.startsWith('partial-')) : []);
    const copying = () => partials().some((name) => statSync(path.join(store, 'tmp', name)).size > 0);
    assert.ok(await killWhen(spawn(process.execPath, [MREG, 'sync'], { cwd: writer, env, stdio: ['ignore', 'pipe', 'pipe'] }), copying), 'the sync was killed mid-copy');
    assert.equal(partials().length, 1);
    const fresh = json<GcJson>(ok(mreg(['gc', '--dry-run', '--grace-hours', '0', '--json'], { cwd: collector }), 'dry run, fresh partial'));
    assert.deepEqual(fresh.store?.abandonedUploads, { count: 0, bytes: 0 }, 'a partial copy touched within the hour stays even without a grace period');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(path.join(store, 'tmp', partials()[0]), twoHoursAgo, twoHoursAgo);

    const kept = json<GcJson>(ok(mreg(['gc', '--dry-run', '--json'], { cwd: collector }), 'dry run, default grace'));
    assert.deepEqual(kept.store?.abandonedUploads, { count: 0, bytes: 0 }, 'a partial copy touched within the grace period stays');
    const listed = ok(mreg(['gc', '--dry-run', '--grace-hours', '0'], { cwd: collector }), 'dry run, no grace');
    assert.match(listed.stdout, /would remove 1 abandoned partial upload\(s\), untouched for the grace period and at least an hour/);
    assert.equal(partials().length, 1, 'a dry run removes nothing');
    const swept = json<GcJson>(ok(mreg(['gc', '--grace-hours', '0', '--json'], { cwd: collector }), 'gc'));
    assert.equal(swept.store?.abandonedUploads.count, 1);
    assert.ok((swept.store?.abandonedUploads.bytes ?? 0) > 0);
    assert.deepEqual(partials(), []);

    ok(await mregAsync(['sync'], { cwd: writer }), 'the writer comes back and copies again');
    assert.equal(await assertEveryLiveVersionResolves(root, store), 1);
  });

  it('collects an S3 store: a dry run lists the blobs past the grace period, gc removes them and live versions still resolve', async function () {
    this.timeout(120_000);
    const env = RADOSGW_CREDENTIALS_ENV;
    const root = tempFolder('store-gc-s3');
    const server = await startRadosgwServer();
    try {
      const uri = server.uri('team');
      const cwd = path.join(root, 'a');
      mkdirSync(cwd);
      ok(mreg(['init', '--store', uri], { cwd, env }), 'init');
      for (const content of ['first weights', 'second weights']) {
        writeFileSync(path.join(cwd, 'w.bin'), content);
        ok(mreg(['register', 'm', 'w.bin'], { cwd, env }), 'register');
      }
      ok(await mregAsync(['sync'], { cwd, env }), 'sync');
      const first = json<{ artifacts: { sha256: string }[] }>(ok(mreg(['resolve', 'm/1', '--json'], { cwd, env }), 'resolve')).artifacts[0].sha256;

      const young = json<GcJson>(ok(await mregAsync(['gc', '--dry-run', '--keep-last', '1', '--json'], { cwd, env }), 'dry run'));
      assert.deepEqual(young.deleted.map((version) => version.number), [1]);
      assert.equal(young.store?.unreferenced.count, 1);
      assert.equal(young.store?.removed.count, 0, 'uploaded within the 24 h grace period: kept');
      assert.equal(young.store?.recent.count, 1);

      const dry = await mregAsync(['gc', '--dry-run', '--keep-last', '1', '--grace-hours', '0'], { cwd, env });
      ok(dry, 'dry run without grace');
      assert.match(dry.stdout, new RegExp(`Shared store s3://${server.bucket}/team .*: blobs no live version refers to: 1 \\(13 B\\); would remove: 1 \\(13 B\\)\\n  would remove ${first} \\(13 B, uploaded `));
      assert.deepEqual(numbers(cwd, 'm'), [2, 1], 'a dry run changes nothing');

      const gc = json<GcJson>(ok(await mregAsync(['gc', '--keep-last', '1', '--grace-hours', '0', '--json'], { cwd, env }), 'gc'));
      assert.deepEqual(gc.store?.removed.blobs.map((blob) => [blob.sha256, blob.size]), [[first, 13]]);
      assert.equal(gc.store?.removed.bytes, 13);
      assert.equal(await assertEveryLiveVersionResolves(root, uri, env), 1);
      const again = json<GcJson>(ok(await mregAsync(['gc', '--grace-hours', '0', '--json'], { cwd, env }), 'gc again'));
      assert.equal(again.store?.unreferenced.count, 0);
      assert.doesNotMatch(readFileSync(path.join(cwd, '.modelregistry', 'config.json'), 'utf8'), new RegExp(env.AWS_SECRET_ACCESS_KEY));
    } finally {
      await server.close();
    }
  });
});
