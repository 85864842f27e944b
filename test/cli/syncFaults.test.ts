import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, MREG, mreg, mregAsync, type MregResult } from '../support/mregProcess';
import { RADOSGW_CREDENTIALS_ENV, startRadosgwServer } from '../support/radosgw';
import type { TestS3Server } from '../support/s3Server';
import { makeClient, ok, registryContents, running, unfinishedUploads, whileRunning } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();
const MiB = 1024 * 1024;

interface StatusReport {
  state: string;
  pendingOps: number;
  pendingVersions: { model: string; number: number }[];
  unfinishedUploads: { key: string; size: number }[];
}

/** `mreg sync` started in the background, its output collected. */
function backgroundSync(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const { MREG_REGISTRY: _ignored, ...inherited } = process.env;
  return running(spawn(process.execPath, [MREG, 'sync'], { cwd, env: { ...inherited, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }));
}

/** The same version on both clients, with the same bytes behind it. */
async function assertConverged(writer: string, reader: string, file: Buffer, env: NodeJS.ProcessEnv = {}): Promise<void> {
  ok(await mregAsync(['sync'], { cwd: reader, env }), 'reader sync');
  assert.deepEqual(registryContents(reader), registryContents(writer));
  ok(await mregAsync(['pull', 'm/1', '--to', 'out'], { cwd: reader, env }), 'pull');
  assert.ok(readFileSync(path.join(reader, 'out', 'big.bin')).equals(file), 'the pulled file holds the registered bytes');
  const verify = json<{ problems: unknown[] }>(ok(await mregAsync(['verify', '--store', '--json'], { cwd: writer, env }), 'verify --store'));
  assert.deepEqual(verify.problems, []);
}

/** `state`: a folder that went away is unreachable (a share unmounted); a service that stopped answering is offline. */
function assertPendingAfterFailure(failed: MregResult, cwd: string, storeNamed: RegExp, state: 'offline' | 'unreachable', env: NodeJS.ProcessEnv = {}): void {
  assert.equal(failed.status, 1, `the sync fails (stdout: ${failed.stdout})`);
  assert.match(failed.stderr, storeNamed, 'the error names the store');
  const status = json<StatusReport>(ok(mreg(['status', '--json'], { cwd, env }), 'status'));
  assert.equal(status.state, state);
  assert.deepEqual(status.pendingVersions, [{ model: 'm', number: 1 }], 'the version is still pending');
  assert.ok(status.pendingOps >= 1);
  assert.equal(status.unfinishedUploads.length, 1, 'the unfinished upload is listed');
  assert.match(ok(mreg(['status'], { cwd, env }), 'status').stdout, /Unfinished uploads: 1 file\(s\), .*the next sync continues them/);
}

describe('mreg sync when the store goes away mid-push', () => {
  it('a folder store unmounted during a large upload: a clear error, nothing lost, the next sync completes', async function () {
    this.timeout(180_000);
    const root = tempFolder('store-vanishes');
    const store = path.join(root, 'store');
    const writer = makeClient(root, 'writer', store);
    const reader = makeClient(root, 'reader', store);
    const file = randomBytes(96 * MiB);
    writeFileSync(path.join(writer, 'big.bin'), file);
    ok(mreg(['register', 'm', 'big.bin'], { cwd: writer }), 'register');

    const sync = backgroundSync(writer);
    const copying = () => existsSync(path.join(store, 'tmp')) && readdirSync(path.join(store, 'tmp')).some((name) => name.startsWith('partial-') && statSync(path.join(store, 'tmp', name)).size > 0);
    assert.ok(await whileRunning(sync, copying), 'the upload had started');
    const away = `${store}-unmounted`;
    renameSync(store, away);
    const failed = await sync.result;
    assertPendingAfterFailure(failed, writer, new RegExp(`shared store ${store.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'unreachable');
    assert.equal(unfinishedUploads(writer).length, 1, 'the unfinished upload is remembered');

    renameSync(away, store);
    const synced = json<{ pushedEvents: number }>(ok(await mregAsync(['sync', '--json'], { cwd: writer }), 'sync once the store is back'));
    assert.ok(synced.pushedEvents >= 1);
    assert.deepEqual(unfinishedUploads(writer), []);
    assert.deepEqual(readdirSync(path.join(store, 'tmp')), [], 'the partial file became the blob');
    await assertConverged(writer, reader, file);
  });

  it('an S3 service going down during a multipart upload: a clear error, nothing lost, the next sync continues the upload', async function () {
    this.timeout(180_000);
    const root = tempFolder('s3-vanishes');
    let server: TestS3Server = await startRadosgwServer();
    const port = Number(new URL(server.endpoint).port);
    const env = { ...RADOSGW_CREDENTIALS_ENV, MREG_S3_PART_SIZE: String(5 * MiB) };
    try {
      const writer = makeClient(root, 'writer', server.uri('team'), env);
      const reader = makeClient(root, 'reader', server.uri('team'), env);
      const file = randomBytes(60 * MiB);
      writeFileSync(path.join(writer, 'big.bin'), file);
      ok(mreg(['register', 'm', 'big.bin'], { cwd: writer, env }), 'register');

      const sync = backgroundSync(writer, env);
      assert.ok(await whileRunning(sync, () => (unfinishedUploads(writer)[0]?.parts?.length ?? 0) >= 1), 'the upload had started');
      await server.kill();
      const failed = await sync.result;
      assertPendingAfterFailure(failed, writer, new RegExp(`shared store s3://${server.bucket}/team at http://127\\.0\\.0\\.1`), 'offline', env);
      const [record] = unfinishedUploads(writer);
      assert.ok(record?.parts && record.parts.length < 12, 'the upload stopped part-way and is remembered');
      const acknowledged = record.parts.map((part) => part.number);

      // The gateway comes back where the clients expect it, with what it held.
      server = await startRadosgwServer({ bucket: server.bucket, port });
      ok(await mregAsync(['sync'], { cwd: writer, env }), 'sync once the service is back');
      const resent = server.requests.filter((request) => request.query.uploadId === record.id && acknowledged.includes(Number(request.query.partNumber)));
      assert.deepEqual(resent, [], 'no acknowledged part went up again');
      assert.equal(server.requests.filter((request) => request.method === 'POST' && 'uploads' in request.query).length, 0, 'the same upload was continued');
      assert.deepEqual(unfinishedUploads(writer), []);
      await assertConverged(writer, reader, file, env);
    } finally {
      await server.close();
    }
  });
});

describe('mreg sync with clocks skewed between clients', () => {
  /** `mreg` on a machine whose clock is off by `offset` (faketime's syntax, e.g. '-5h'); libfaketime moves the process's clock only. */
  function skewed(offset: string | undefined, args: string[], cwd: string): Promise<MregResult> {
    if (!offset) return mregAsync(args, { cwd });
    const { MREG_REGISTRY: _ignored, ...env } = process.env;
    return new Promise((resolve, reject) => {
      const child = spawn('faketime', ['-f', offset, process.execPath, MREG, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
      child.on('error', (error) => reject(new Error(`faketime is needed for this test (apt-get install faketime): ${error.message}`)));
      void running(child).result.then(resolve);
    });
  }

  it('numbers and orders by the shared log, not by timestamps, when one client runs hours behind and one hours ahead', async function () {
    this.timeout(300_000);
    const root = tempFolder('skewed-clocks');
    const store = path.join(root, 'store');
    const clients = { past: '-5h', future: '+7h', now: undefined } as const;
    const cwd = Object.fromEntries(Object.keys(clients).map((name) => [name, makeClient(root, name, store)])) as Record<keyof typeof clients, string>;
    let files = 0;
    const register = async (name: keyof typeof clients) => {
      writeFileSync(path.join(cwd[name], 'w.bin'), `weights ${++files} from ${name}`);
      ok(await skewed(clients[name], ['register', 'm', 'w.bin'], cwd[name]), `register on ${name}`);
    };
    const sync = async (name: keyof typeof clients) => ok(await skewed(clients[name], ['sync', '--json'], cwd[name]), `sync on ${name}`);

    // The client 7 hours ahead pushes first, the one 5 hours behind second: log order, not clock order.
    await register('future');
    await sync('future');
    await register('past');
    assert.deepEqual(json<{ rebase: { renumbered: unknown[] } }>(await sync('past')).rebase.renumbered, [{ model: 'm', from: 1, to: 2 }]);
    // Then all three register and sync at once.
    await Promise.all(
      (Object.keys(clients) as (keyof typeof clients)[]).map(async (name) => {
        for (let round = 0; round < 4; round++) {
          await register(name);
          await sync(name);
        }
      }),
    );
    for (const name of Object.keys(clients) as (keyof typeof clients)[]) await sync(name);

    const reference = registryContents(cwd.now);
    assert.deepEqual(
      reference.m.map((version) => version.number),
      Array.from({ length: 14 }, (_, index) => index + 1),
      'numbered 1..14 without gap or duplicate',
    );
    assert.deepEqual(registryContents(cwd.past), reference);
    assert.deepEqual(registryContents(cwd.future), reference);
    const created = (number: number) => Date.parse(json<{ number: number; createdAt: string }[]>(ok(mreg(['versions', 'm', '--json'], { cwd: cwd.now }), 'versions')).find((v) => v.number === number)!.createdAt);
    assert.ok(created(1) - created(2) > 11 * 3600_000, 'm/1 carries a time 12 hours after m/2, and is still number 1');
    const log = json<{ seq: number; time: string }[]>(ok(mreg(['log', 'm', '--json'], { cwd: cwd.now }), 'log'));
    assert.deepEqual(
      log.map((event) => event.seq),
      [...log.map((event) => event.seq)].sort((a, b) => b - a),
      'the audit log is in sequence order',
    );
    assert.ok(
      log.some((event, index) => index > 0 && Date.parse(event.time) > Date.parse(log[index - 1].time)),
      'while its times go back and forth',
    );

    // Production changes hands in log order too: future promotes m/2, then past (stamping 12 hours earlier) promotes m/1.
    ok(await skewed(clients.future, ['promote', 'm/2', 'Production', '--reason', 'first'], cwd.future), 'promote on future');
    await sync('future');
    await sync('past');
    ok(await skewed(clients.past, ['promote', 'm/1', 'Production', '--reason', 'second'], cwd.past), 'promote on past');
    await sync('past');
    await sync('now');
    const stage = (number: number) => json<{ number: number; stage: string }[]>(ok(mreg(['versions', 'm', '--json'], { cwd: cwd.now }), 'versions')).find((v) => v.number === number)!.stage;
    assert.deepEqual([stage(1), stage(2)], ['Production', 'Archived'], 'the later promotion in the log wins');
    const day = 24 * 3600_000;
    const history = (asOf: number) =>
      json<{ changes: { version: number; to: string; reason: string }[]; asOf: { versions: number[] } }>(ok(mreg(['history', 'm', '--json', '--as-of', new Date(asOf).toISOString()], { cwd: cwd.now }), 'history'));
    const later = history(Date.now() + 2 * day);
    assert.deepEqual(
      later.changes.filter((change) => change.to === 'Production').map((change) => [change.version, change.reason]),
      [
        [2, 'first'],
        [1, 'second'],
      ],
      'history lists the changes in log order',
    );
    assert.deepEqual(later.asOf.versions, [1], 'two days on, m/1 holds Production');
    assert.deepEqual(history(Date.now() - 2 * day).asOf.versions, [], 'two days back, nothing did');
  });
});
