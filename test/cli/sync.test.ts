import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, MREG, mreg, mregAsync } from '../support/mregProcess';
import { RADOSGW_CREDENTIALS_ENV, startRadosgwServer, withRadosgwStore } from '../support/radosgw';
import { S3_CREDENTIALS_ENV, startS3Server } from '../support/s3Server';
import { makeClient, ok, registryContents } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

function batchFile(store: string, seq: number): string {
  return path.join(store, 'log', `${String(seq).padStart(20, '0')}.json`);
}

describe('mreg sync', () => {
  /** 8 processes register 25 versions each on one store, syncing every 5th: all end with the same 200 versions. */
  async function eightClientsRacing(root: string, store: string, env?: NodeJS.ProcessEnv): Promise<void> {
    const clients = Array.from({ length: 8 }, (_, index) => makeClient(root, `client-${index}`, store, env));

    let renumbered = 0;
    const sync = async (cwd: string) => {
      renumbered += json<{ rebase: { renumbered: unknown[] } }>(ok(await mregAsync(['sync', '--json'], { cwd, env }), `sync in ${cwd}`)).rebase.renumbered.length;
    };
    await Promise.all(
      clients.map(async (cwd, index) => {
        for (let round = 0; round < 25; round++) {
          writeFileSync(path.join(cwd, 'weights.bin'), `client ${index} round ${round}\n`);
          // Half the versions go to one model every client shares, half to the client's own.
          const model = round % 2 === 0 ? 'shared' : `own-${index}`;
          ok(await mregAsync(['register', model, 'weights.bin'], { cwd, env }), `register on client ${index}`);
          if (round % 5 === 4) await sync(cwd);
        }
      }),
    );
    for (const cwd of clients) await sync(cwd);
    assert.ok(renumbered > 0, 'clients raced for the same numbers and rebased');

    const reference = registryContents(clients[0]);
    const all = Object.values(reference).flat();
    assert.equal(all.length, 200);
    assert.equal(new Set(all.map((version) => version.id)).size, 200, 'every version once');
    assert.equal(reference.shared.length, 8 * 13);
    for (const [model, versions] of Object.entries(reference)) {
      assert.deepEqual(
        versions.map((version) => version.number),
        versions.map((_, index) => index + 1),
        `${model} is numbered 1..${versions.length}`,
      );
    }
    for (const cwd of clients.slice(1)) assert.deepEqual(registryContents(cwd), reference, `${cwd} holds the same registry`);
    const head = (cwd: string) => json<{ seq: number }[]>(ok(mreg(['log', '--limit', '1', '--json'], { cwd }), 'log'))[0];
    for (const cwd of clients.slice(1)) assert.deepEqual(head(cwd), head(clients[0]), 'the same audit log head everywhere');
    const verify = ok(await mregAsync(['verify', '--store', '--json'], { cwd: clients[0], env }), 'verify --store');
    const report = json<{ problems: unknown[]; blobsTotal: number }>(verify);
    assert.deepEqual(report.problems, []);
    assert.equal(report.blobsTotal, 200);
  }

  it('8 clients registering 25 versions each at once end with the same 200 versions, numbered without gap or duplicate', async function () {
    this.timeout(600_000);
    const root = tempFolder('sync-race');
    await eightClientsRacing(root, path.join(root, 'store'));
  });

  it('the same 8 × 25 race through an S3 store (radosgw): 200 versions, numbered 1..200 on every client', async function () {
    this.timeout(900_000);
    await withRadosgwStore((uri, env) => eightClientsRacing(tempFolder('sync-race-s3'), uri, env));
  });

  describe('a damaged shared log', () => {
    function twoClients(name: string): { store: string; writer: string; reader: string } {
      const root = tempFolder(name);
      const store = path.join(root, 'store');
      const writer = makeClient(root, 'writer', store);
      const reader = makeClient(root, 'reader', store);
      for (const accuracy of ['0.9', '0.95']) {
        writeFileSync(path.join(writer, 'w.bin'), `weights ${accuracy}`);
        ok(mreg(['register', 'm', 'w.bin', '--metric', `accuracy=${accuracy}`], { cwd: writer }), 'register');
        ok(mreg(['sync'], { cwd: writer }), 'sync');
      }
      return { store, writer, reader };
    }

    it('applies the intact batches before a truncated one, then reports it and applies nothing from it', () => {
      const { store, writer, reader } = twoClients('sync-truncated');
      writeFileSync(path.join(writer, 'w.bin'), 'weights 0.97');
      ok(mreg(['register', 'm', 'w.bin', '--metric', 'accuracy=0.97'], { cwd: writer }), 'register');
      ok(mreg(['sync'], { cwd: writer }), 'sync');
      const file = batchFile(store, 2);
      truncateSync(file, Math.floor(readFileSync(file).length / 2));

      const sync = mreg(['sync'], { cwd: reader });
      assert.equal(sync.status, 1);
      assert.match(sync.stderr, /Batch 2 of the shared log .* is damaged: it is not complete JSON.*Nothing from it was applied/);
      assert.deepEqual(
        registryContents(reader).m?.map((version) => version.number),
        [1],
        'batch 1 is applied; batch 2 and the intact batch 3 after it are not',
      );
      const status = json<{ state: string; remoteSeq: number }>(ok(mreg(['status', '--json'], { cwd: reader }), 'status'));
      assert.deepEqual([status.state, status.remoteSeq], ['error', 1]);
      assert.match(mreg(['sync'], { cwd: reader }).stderr, /Batch 2 of the shared log .* is damaged/, 'reported again on the next sync');

      const verify = mreg(['verify', '--store', '--json'], { cwd: reader });
      assert.equal(verify.status, 1);
      assert.match(JSON.stringify(json(verify)), /00000000000000000002\.json/);
    });

    it('reports a batch edited by hand', () => {
      const { store, reader } = twoClients('sync-edited');
      const file = batchFile(store, 1);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"value":0.9', '"value":0.99'));

      const sync = mreg(['sync'], { cwd: reader });
      assert.equal(sync.status, 1);
      assert.match(sync.stderr, /Batch 1 of the shared log .* is damaged: Event #2 does not match its own hash/);
      assert.deepEqual(registryContents(reader), {});
    });

    it('refuses an artifact whose bytes in the store do not match its hash', () => {
      const { store, writer, reader } = twoClients('sync-damaged-blob');
      ok(mreg(['sync'], { cwd: reader }), 'reader sync');
      const sha256 = json<{ manifest: { artifacts: { sha256: string }[] } }>(ok(mreg(['show', 'm/2', '--json'], { cwd: writer }), 'show')).manifest.artifacts[0].sha256;
      writeFileSync(path.join(store, 'blobs', 'sha256', sha256.slice(0, 2), sha256), 'not the weights');

      const pull = mreg(['pull', 'm/2', '--to', 'out'], { cwd: reader });
      assert.equal(pull.status, 1);
      assert.match(pull.stderr, /is damaged: its bytes hash to/);
      assert.deepEqual(readdirSync(reader).filter((name) => name === 'out'), []);
    });
  });

  it('loses nothing and publishes no half-written object when mreg sync is killed at any moment', async function () {
    this.timeout(300_000);
    const root = tempFolder('sync-kill');
    const store = path.join(root, 'store');
    const writer = makeClient(root, 'writer', store);
    const reader = makeClient(root, 'reader', store);
    const register = (round: number) => {
      writeFileSync(path.join(writer, 'big.bin'), randomBytes(24 * 1024 * 1024));
      return json<{ version: number }>(ok(mreg(['register', 'm', 'big.bin', '--json', '--tag', `round=${round}`], { cwd: writer }), 'register')).version;
    };
    // How long one sync takes here, so that the kills land in every phase: blob upload, batch write, after.
    register(0);
    const started = Date.now();
    ok(mreg(['sync'], { cwd: writer }), 'calibration sync');
    const duration = Date.now() - started;

    const trials = 8;
    let killed = 0;
    for (let trial = 1; trial <= trials; trial++) {
      register(trial);
      const child = spawn(process.execPath, [MREG, 'sync'], { cwd: writer, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), (duration * trial) / trials);
      const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      if (status === null) killed += 1;
      // Whatever the moment, the store's log is whole and names no blob it lacks.
      const verify = json<{ problems: unknown[] }>(mreg(['verify', '--store', '--json'], { cwd: writer }));
      assert.deepEqual(verify.problems, [], `after trial ${trial}`);
    }
    assert.ok(killed > 0, 'some syncs were killed');

    ok(mreg(['sync'], { cwd: writer }), 'sync after the kills');
    ok(mreg(['sync'], { cwd: reader }), 'reader sync');
    const versions = registryContents(reader).m;
    assert.deepEqual(registryContents(writer).m, versions);
    assert.deepEqual(
      versions.map((version) => version.number),
      Array.from({ length: trials + 1 }, (_, index) => index + 1),
    );
    ok(mreg(['pull', `m/${trials + 1}`, '--to', 'out'], { cwd: reader }), 'pull the last version');
    assert.deepEqual(readFileSync(path.join(reader, 'out', 'big.bin')), readFileSync(path.join(writer, 'big.bin')));
  });

  it('leaves a readable registry and loses no pending version when mreg sync is killed while rebasing', async function () {
    this.timeout(300_000);
    const root = tempFolder('sync-kill-rebase');
    const store = path.join(root, 'store');
    const other = makeClient(root, 'other', store);
    const rebasing = makeClient(root, 'rebasing', store);
    let files = 0;
    const register = (cwd: string) => {
      writeFileSync(path.join(cwd, 'w.bin'), `weights ${++files}`);
      ok(mreg(['register', 'm', 'w.bin'], { cwd }), 'register');
    };
    register(other);
    ok(mreg(['sync'], { cwd: other }), 'sync');
    register(rebasing);
    const started = Date.now();
    ok(mreg(['sync'], { cwd: rebasing }), 'calibration sync');
    const duration = Date.now() - started;

    const trials = 8;
    for (let trial = 1; trial <= trials; trial++) {
      register(other);
      ok(mreg(['sync'], { cwd: other }), 'sync');
      register(rebasing);
      const child = spawn(process.execPath, [MREG, 'sync'], { cwd: rebasing, stdio: 'ignore' });
      const timer = setTimeout(() => child.kill('SIGKILL'), (duration * trial) / trials);
      await new Promise((resolve) => child.on('close', resolve));
      clearTimeout(timer);
      ok(mreg(['versions', 'm'], { cwd: rebasing }), `the registry reads after trial ${trial}`);
    }
    ok(mreg(['sync'], { cwd: rebasing }), 'sync after the kills');
    ok(mreg(['sync'], { cwd: other }), 'other sync');
    const versions = registryContents(rebasing).m;
    assert.deepEqual(registryContents(other).m, versions);
    assert.deepEqual(
      versions.map((version) => version.number),
      Array.from({ length: 2 * (trials + 1) }, (_, index) => index + 1),
    );
  });

  describe('with an S3 store (radosgw on 127.0.0.1)', () => {
    const env = RADOSGW_CREDENTIALS_ENV;

    it('syncs and fetches artifacts lazily through a service that honours If-None-Match', async function () {
      this.timeout(120_000);
      const root = tempFolder('sync-s3');
      const server = await startRadosgwServer();
      try {
        const uri = server.uri('team');
        // Commands that reach the store run asynchronously: the server lives in this process.
        const [a, b] = ['a', 'b'].map((name) => {
          const cwd = path.join(root, name);
          mkdirSync(cwd);
          ok(mreg(['init', '--store', uri], { cwd, env }), 'init');
          return cwd;
        });
        writeFileSync(path.join(a, 'w.bin'), randomBytes(2 * 1024 * 1024));
        ok(mreg(['register', 'm', 'w.bin'], { cwd: a, env }), 'register');
        writeFileSync(path.join(b, 'w.bin'), 'b weights');
        ok(mreg(['register', 'm', 'w.bin'], { cwd: b, env }), 'register');
        ok(await mregAsync(['sync'], { cwd: a, env }), 'sync a');
        const synced = ok(await mregAsync(['sync'], { cwd: b, env }), 'sync b');
        assert.match(synced.stdout, /Renumbered m\/1 → m\/2/);
        ok(await mregAsync(['sync'], { cwd: a, env }), 'sync a again');
        assert.deepEqual(registryContents(a), registryContents(b));
        ok(await mregAsync(['pull', 'm/1', '--to', 'out'], { cwd: b, env }), 'pull');
        assert.deepEqual(readFileSync(path.join(b, 'out', 'w.bin')), readFileSync(path.join(a, 'w.bin')));
        const status = json<{ state: string; reachable: boolean }>(ok(await mregAsync(['status', '--json'], { cwd: b, env }), 'status'));
        assert.equal(status.state, 'synced');
        assert.equal(status.reachable, true);
        assert.doesNotMatch(synced.stdout + synced.stderr, new RegExp(env.AWS_SECRET_ACCESS_KEY), 'no credentials in the output');
      } finally {
        await server.close();
      }
    });

    it('refuses to sync through a service that ignores If-None-Match (s3rver), saying why', async function () {
      this.timeout(60_000);
      const env = S3_CREDENTIALS_ENV;
      const root = tempFolder('sync-s3-plain');
      const server = await startS3Server(path.join(root, 'server'), { conditionalWrites: false });
      try {
        const cwd = path.join(root, 'a');
        mkdirSync(cwd);
        ok(mreg(['init', '--store', server.uri('team')], { cwd, env }), 'init');
        writeFileSync(path.join(cwd, 'w.bin'), 'w');
        ok(mreg(['register', 'm', 'w.bin'], { cwd, env }), 'register');
        const sync = await mregAsync(['sync'], { cwd, env });
        assert.equal(sync.status, 1);
        assert.match(sync.stderr, /does not honour create-only writes \(If-None-Match: \*\)/);
        assert.equal(json<{ state: string }>(ok(await mregAsync(['status', '--json'], { cwd, env }), 'status')).state, 'error');
      } finally {
        await server.close();
      }
    });
  });
});
