import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { CreateMultipartUploadCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import path from 'node:path';
import { inspect } from 'node:util';
import { Registry } from '../../../../src/index';
import { S3Store } from '../../../../src/store/shared/s3Store';
import { RegistryFolder } from '../../../../src/store/registryFolder';
import { parseStoreUri } from '../../../../src/store/shared/storeConfig';
import { UploadJournal } from '../../../../src/store/shared/uploadJournal';
import { SyncService } from '../../../../src/sync/syncService';
import { RADOSGW_CREDENTIALS_ENV, startRadosgwServer } from '../../../support/radosgw';
import { startS3Server, type TestS3Server } from '../../../support/s3Server';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

describe('S3Store (against radosgw on 127.0.0.1)', function () {
  this.timeout(120_000);
  /** s3rver: a service that ignores conditional writes, for the refusal probe only. */
  let plain: TestS3Server;
  let real: TestS3Server;
  const saved: Record<string, string | undefined> = {};
  const opened: Registry[] = [];

  before(async () => {
    for (const [key, value] of Object.entries(RADOSGW_CREDENTIALS_ENV)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
    plain = await startS3Server(tempFolder('s3rver'), { conditionalWrites: false });
    real = await startRadosgwServer();
  });
  after(async () => {
    await plain.close();
    await real.close();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
  afterEach(async () => {
    for (const registry of opened.splice(0)) await registry.close();
  });

  async function store(server: TestS3Server, prefix: string): Promise<S3Store> {
    return (await parseStoreUri(server.uri(prefix)).open()) as S3Store;
  }

  it('writes, reads, lists after a key, streams files both ways and says when an object is missing', async () => {
    const s3 = await store(real, 'rw');
    try {
      assert.equal(await s3.createOnly('log/00000000000000000001.json', Buffer.from('one')), 'created');
      assert.equal(await s3.createOnly('log/00000000000000000002.json', Buffer.from('two')), 'created');
      assert.equal(await s3.createOnly('other/x', Buffer.from('x')), 'created');
      assert.deepEqual(await s3.list('log/'), ['log/00000000000000000001.json', 'log/00000000000000000002.json']);
      assert.deepEqual(await s3.list('log/', 'log/00000000000000000001.json'), ['log/00000000000000000002.json']);
      assert.equal((await s3.get('log/00000000000000000002.json'))?.toString(), 'two');
      assert.equal(await s3.get('log/missing'), undefined);
      assert.equal(await s3.exists('other/x'), true);
      assert.equal(await s3.exists('other/y'), false);

      const folder = tempFolder('s3-files');
      const source = path.join(folder, 'big.bin');
      writeFileSync(source, Buffer.alloc(3 * 1024 * 1024, 7));
      let progress = 0;
      await s3.putFile('blobs/big', source, (done) => (progress = done));
      assert.equal(progress, 3 * 1024 * 1024);
      const copy = path.join(folder, 'copy.bin');
      assert.deepEqual(await s3.getToFile('blobs/big', copy), { sha256: createHash('sha256').update(readFileSync(source)).digest('hex'), size: 3 * 1024 * 1024 });
      assert.deepEqual(readFileSync(copy), readFileSync(source));
      assert.equal(await s3.getToFile('blobs/none', path.join(folder, 'none.bin')), undefined);
      await s3.delete('other/x');
      assert.equal(await s3.exists('other/x'), false);
    } finally {
      s3.close();
    }
  });

  it('uploads a file larger than the part size in parts, reporting progress to the last byte', async () => {
    const folder = tempFolder('s3-multipart');
    const source = path.join(folder, 'big.bin');
    const bytes = randomBytes(12 * 1024 * 1024 + 5);
    writeFileSync(source, bytes);
    const s3 = (await parseStoreUri(real.uri('multipart')).open({ partSize: 5 * 1024 * 1024 })) as S3Store;
    try {
      const seen = real.requests.length;
      let progress = 0;
      const journal = new UploadJournal(new RegistryFolder(path.join(folder, 'registry')), real.uri('multipart'));
      await s3.putFile('blobs/big', source, (done) => (progress = Math.max(progress, done)), journal);
      assert.equal(progress, bytes.length);
      const parts = real.requests.slice(seen).filter((request) => request.method === 'PUT' && request.query.partNumber);
      assert.deepEqual(parts.map((request) => Number(request.query.partNumber)).sort(), [1, 2, 3]);
      assert.equal(journal.get('blobs/big'), undefined, 'a finished upload leaves no record');
      const copy = path.join(folder, 'copy.bin');
      assert.deepEqual(await s3.getToFile('blobs/big', copy), { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length });
      assert.deepEqual(readFileSync(copy), bytes);
    } finally {
      s3.close();
    }
  });

  it('continues a recorded multipart upload with the parts it lacks', async () => {
    const folder = tempFolder('s3-resume');
    const source = path.join(folder, 'big.bin');
    const bytes = randomBytes(16 * 1024 * 1024);
    writeFileSync(source, bytes);
    const uri = real.uri('resume');
    const journal = new UploadJournal(new RegistryFolder(path.join(folder, 'registry')), uri);
    const partSize = 5 * 1024 * 1024;
    // An upload that got as far as two of its four parts before its process died.
    const s3 = (await parseStoreUri(uri).open({ partSize })) as S3Store;
    try {
      const client = new S3Client({ endpoint: real.endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: RADOSGW_CREDENTIALS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: RADOSGW_CREDENTIALS_ENV.AWS_SECRET_ACCESS_KEY }, requestChecksumCalculation: 'WHEN_REQUIRED' });
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: real.bucket, Key: 'resume/blobs/big' }));
      const parts = [];
      for (const number of [1, 3]) {
        const part = bytes.subarray((number - 1) * partSize, number * partSize);
        const { ETag } = await client.send(new UploadPartCommand({ Bucket: real.bucket, Key: 'resume/blobs/big', UploadId, PartNumber: number, Body: part }));
        parts.push({ number, etag: ETag! });
      }
      client.destroy();
      journal.set({ key: 'blobs/big', size: bytes.length, id: UploadId!, partSize, parts, started: new Date().toISOString() });

      const seen = real.requests.length;
      const reports: number[] = [];
      await s3.putFile('blobs/big', source, (done) => reports.push(done), journal);
      const requests = real.requests.slice(seen);
      assert.deepEqual(requests.filter((request) => request.query.partNumber).map((request) => Number(request.query.partNumber)).sort(), [2, 4], 'only the missing parts');
      assert.equal(requests.filter((request) => request.method === 'POST' && 'uploads' in request.query).length, 0, 'no new upload');
      assert.equal(reports[0], 2 * partSize, 'progress starts at the acknowledged parts');
      assert.equal(reports[reports.length - 1], bytes.length);
      assert.equal(journal.get('blobs/big'), undefined);
      const copy = path.join(folder, 'copy.bin');
      await s3.getToFile('blobs/big', copy);
      assert.deepEqual(readFileSync(copy), bytes);
    } finally {
      s3.close();
    }
  });

  it('stops a large upload when the sync is cancelled, and the next sync continues it', async () => {
    const project = writeFiles(tempFolder('cancel'), {});
    writeFileSync(path.join(project, 'big.bin'), randomBytes(24 * 1024 * 1024));
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'c@example.com' });
    opened.push(registry);
    await registry.register({ model: 'm', paths: [path.join(project, 'big.bin')], git: null });
    const uri = real.uri('cancel');
    const sync = new SyncService(registry, await parseStoreUri(uri).open({ partSize: 5 * 1024 * 1024 }), uri);
    try {
      const controller = new AbortController();
      await assert.rejects(
        sync.sync({ signal: controller.signal, onProgress: (done) => done >= 6 * 1024 * 1024 && controller.abort() }),
        (error: Error & { code?: string }) => error.code === 'CANCELLED',
      );
      const status = sync.status();
      assert.deepEqual([status.pendingOps, status.unfinishedUploads.length], [1, 1], 'the version and the unfinished upload wait for the next sync');
      const journal = new UploadJournal(registry.folder, uri);
      const [record] = journal.list();
      const acknowledged = (record.parts ?? []).map((part) => part.number);

      const seen = real.requests.length;
      const result = await sync.sync();
      assert.deepEqual([result.pushedBatches, result.uploadedBlobs], [1, 1]);
      const resent = real.requests.slice(seen).filter((request) => request.query.partNumber && acknowledged.includes(Number(request.query.partNumber)));
      assert.deepEqual(resent, [], 'no acknowledged part went up again');
      assert.deepEqual(sync.status().unfinishedUploads, []);
      assert.deepEqual((await sync.verifyStore()).problems, []);
    } finally {
      sync.store.close();
    }
  });

  it('hands a key to exactly one of 32 create-only writers racing for it, however the service answers the losers', async () => {
    const stores = await Promise.all(Array.from({ length: 32 }, () => store(real, 'cas-race')));
    try {
      for (let round = 0; round < 3; round++) {
        const key = `log/${String(round + 1).padStart(20, '0')}.json`;
        const outcomes = await Promise.all(stores.map((s3, index) => s3.createOnly(key, Buffer.from(`writer ${index}`))));
        const winners = outcomes.flatMap((outcome, index) => (outcome === 'created' ? [index] : []));
        assert.equal(winners.length, 1, `one winner of ${key}: ${outcomes.join(' ')}`);
        assert.equal((await stores[0].get(key))?.toString(), `writer ${winners[0]}`, 'the winner is the one whose bytes are there');
      }
    } finally {
      for (const s3 of stores) s3.close();
    }
  });

  it('keeps prefixes apart', async () => {
    const a = await store(real, 'team-a');
    const b = await store(real, 'team-b');
    try {
      await a.createOnly('log/1', Buffer.from('a'));
      assert.deepEqual(await b.list('log/'), []);
      assert.deepEqual(await a.list('log/'), ['log/1']);
    } finally {
      a.close();
      b.close();
    }
  });

  it('reports a missing bucket and an unreachable endpoint as IO errors naming the store', async () => {
    const missing = (await parseStoreUri(`s3://no-such-bucket/x?endpoint=${encodeURIComponent(real.endpoint)}&forcePathStyle=true`).open()) as S3Store;
    await assert.rejects(missing.assertReachable(), (error: Error & { code?: string }) => error.code === 'IO' && /s3:\/\/no-such-bucket\/x/.test(error.message));
    missing.close();
    const nowhere = (await parseStoreUri('s3://registry/x?endpoint=http%3A%2F%2F127.0.0.1%3A9&forcePathStyle=true').open()) as S3Store;
    await assert.rejects(nowhere.assertReachable(), (error: Error & { code?: string }) => error.code === 'IO');
    nowhere.close();
  });

  it('refuses credentials and unknown options in the store URI', () => {
    assert.throws(() => parseStoreUri('s3://AKIA:secret@bucket/x'), /Credentials do not belong in the store URI/);
    assert.throws(() => parseStoreUri('s3://bucket/x?secretAccessKey=abc'), /Unknown option 'secretAccessKey'/);
  });

  async function client(server: TestS3Server, prefix: string, name: string, credentials?: Record<string, string>): Promise<{ registry: Registry; sync: SyncService; project: string }> {
    const project = writeFiles(tempFolder(name), {});
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: `${name}@example.com` });
    opened.push(registry);
    const uri = server.uri(prefix);
    return { registry, sync: new SyncService(registry, await parseStoreUri(uri).open({ credentials }), uri), project };
  }

  it('uses credentials handed over in memory instead of the standard chain, and never shows the secret', async () => {
    const secret = 'wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY';
    const token = 'FwoGZXIvYXdzEXAMPLESESSIONTOKEN';
    const project = writeFiles(tempFolder('credentials'), { 'w.bin': 'w' });
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'c@example.com' });
    opened.push(registry);
    await registry.register({ model: 'm', paths: [path.join(project, 'w.bin')], git: null });
    const uri = real.uri('credentials');

    // Wrong keys in memory win over the right ones in the environment: the service refuses them.
    const wrong = new SyncService(registry, await parseStoreUri(uri).open({ credentials: { accessKeyId: 'AKIAWRONGKEY', secretAccessKey: secret, sessionToken: token } }), uri);
    const error = await wrong.sync().then(
      () => assert.fail('the service accepted unknown credentials'),
      (failure: Error) => failure,
    );
    const shown = [
      error.message,
      String(error.stack),
      wrong.store.description,
      JSON.stringify(wrong.status()),
      inspect(wrong.store, { depth: 6 }),
      readFileSync(path.join(project, '.modelregistry', 'sync', 'state.json'), 'utf8'),
    ].join('\n');
    assert.ok(error.message.includes(`s3://${real.bucket}/credentials`), 'the error names the store');
    assert.doesNotMatch(shown, new RegExp(`${secret}|${token}`), 'the secret and the token appear nowhere');
    wrong.store.close();

    const right = new SyncService(registry, await parseStoreUri(uri).open({ credentials: { accessKeyId: RADOSGW_CREDENTIALS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: RADOSGW_CREDENTIALS_ENV.AWS_SECRET_ACCESS_KEY } }), uri);
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, key: process.env.AWS_SECRET_ACCESS_KEY };
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    try {
      const result = await right.sync();
      assert.equal(result.pushedEvents > 0, true);
      assert.equal(right.status().state, 'synced');
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.key;
      right.store.close();
    }
  });

  it('refuses to sync with a service that accepts a second create of the same object', async () => {
    const a = await client(plain, 'probe', 'a', { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
    writeFiles(a.project, { 'w.bin': 'w' });
    await a.registry.register({ model: 'm', paths: [path.join(a.project, 'w.bin')], git: null });
    await assert.rejects(a.sync.sync(), /does not honour create-only writes \(If-None-Match: \*\).*refuses/);
    assert.equal(a.sync.status().state, 'error');
    assert.equal(a.sync.status().pendingOps, 1);
    a.sync.store.close();
  });

  it('syncs 4 clients racing through a service that honours If-None-Match', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map((index) => client(real, 'race', `c${index}`)));
    await Promise.all(
      clients.map(async ({ registry, sync, project }, index) => {
        for (let round = 0; round < 5; round++) {
          writeFiles(project, { [`w${round}.bin`]: `client ${index} round ${round}` });
          await registry.register({ model: 'shared', paths: [path.join(project, `w${round}.bin`)], git: null });
          await sync.sync();
        }
      }),
    );
    for (const { sync } of clients) await sync.sync();
    const numbers = (registry: Registry) => registry.versions('shared').map((version) => [version.number, version.id]);
    assert.equal(numbers(clients[0].registry).length, 20);
    assert.deepEqual(
      numbers(clients[0].registry).map(([number]) => number),
      Array.from({ length: 20 }, (_, index) => 20 - index),
    );
    for (const { registry } of clients.slice(1)) assert.deepEqual(numbers(registry), numbers(clients[0].registry));
    const report = await clients[0].sync.verifyStore();
    assert.deepEqual(report.problems, []);
    assert.equal(report.blobsTotal, 20);
    for (const { sync } of clients) sync.store.close();
  });
});
