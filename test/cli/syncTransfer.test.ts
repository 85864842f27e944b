import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, MREG, mreg, mregAsync } from '../support/mregProcess';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { RADOSGW_CREDENTIALS_ENV, radosgw, startRadosgwServer } from '../support/radosgw';
import type { SeenRequest } from '../support/s3Server';
import { killWhen, ok, unfinishedUploads } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();
const MiB = 1024 * 1024;

const partNumbers = (requests: SeenRequest[]) => requests.filter((request) => request.method === 'PUT' && request.query.partNumber).map((request) => Number(request.query.partNumber));
const uploadsStarted = (requests: SeenRequest[]) => requests.filter((request) => request.method === 'POST' && 'uploads' in request.query).length;

describe('mreg sync of large files', () => {
  describe('with an S3 store (radosgw on 127.0.0.1)', () => {
    // Parts of 5 MiB (the smallest S3 allows) make a 60 MiB file a 12-part upload.
    const env = { ...RADOSGW_CREDENTIALS_ENV, MREG_S3_PART_SIZE: String(5 * MiB) };

    it('resumes a multipart upload killed mid-way without sending the acknowledged parts again', async function () {
      this.timeout(180_000);
      const root = tempFolder('s3-resume');
      const server = await startRadosgwServer();
      try {
        const cwd = path.join(root, 'a');
        mkdirSync(cwd);
        ok(mreg(['init', '--store', server.uri('team')], { cwd, env }), 'init');
        const weights = randomBytes(60 * MiB);
        writeFileSync(path.join(cwd, 'big.bin'), weights);
        ok(mreg(['register', 'm', 'big.bin'], { cwd, env }), 'register');

        const child = spawn(process.execPath, [MREG, 'sync'], { cwd, env: { ...process.env, ...env }, stdio: 'ignore' });
        const killed = await killWhen(child, () => (unfinishedUploads(cwd)[0]?.parts?.length ?? 0) >= 1);
        assert.ok(killed, 'the sync was killed during the upload');
        const [record] = unfinishedUploads(cwd);
        const acknowledged = record.parts!.map((part) => part.number);
        assert.ok(acknowledged.length < 12, `killed with ${acknowledged.length} of 12 parts acknowledged`);
        assert.equal(uploadsStarted(server.requests), 1);

        const before = server.requests.length;
        const synced = json<{ pushedEvents: number; uploadedBlobs: number }>(ok(await mregAsync(['sync', '--json'], { cwd, env }), 'sync after the kill'));
        assert.deepEqual([synced.pushedEvents > 0, synced.uploadedBlobs], [true, 1]);
        const resumed = server.requests.slice(before);
        assert.equal(uploadsStarted(resumed), 0, 'the recorded upload was continued, not started again');
        assert.ok(
          resumed.some((request) => request.method === 'GET' && request.query.uploadId === record.id && request.query.partNumber === undefined && request.status === 200),
          'the parts the service holds were asked for (ListParts)',
        );
        // The service may hold parts the journal missed (acknowledged just before the kill): ListParts reports them.
        const heldByService = partNumbers(server.requests.slice(0, before).filter((request) => request.status === 200));
        assert.deepEqual(acknowledged.filter((part) => !heldByService.includes(part)), [], 'the journal records only parts the service acknowledged');
        const sentAgain = partNumbers(resumed).filter((part) => heldByService.includes(part));
        assert.deepEqual(sentAgain, [], 'no part the service acknowledged went up twice');
        assert.deepEqual(
          [...new Set([...heldByService, ...partNumbers(resumed)])].sort((a, b) => a - b),
          Array.from({ length: 12 }, (_, index) => index + 1),
        );
        assert.deepEqual(unfinishedUploads(cwd), [], 'the finished upload is no longer recorded');

        const verify = json<{ problems: unknown[]; blobsChecked: number }>(ok(await mregAsync(['verify', '--store', '--json'], { cwd, env }), 'verify --store'));
        assert.deepEqual(verify.problems, []);
        assert.equal(verify.blobsChecked, 1);
        const other = path.join(root, 'b');
        mkdirSync(other);
        ok(mreg(['init', '--store', server.uri('team')], { cwd: other, env }), 'init b');
        ok(await mregAsync(['sync'], { cwd: other, env }), 'sync b');
        ok(await mregAsync(['pull', 'm/1', '--to', 'out'], { cwd: other, env }), 'pull');
        assert.ok(readFileSync(path.join(other, 'out', 'big.bin')).equals(weights), 'the assembled object holds the registered bytes');
      } finally {
        await server.close();
      }
    });

    it('aborts its unfinished upload when another client completed the same blob meanwhile', async function () {
      this.timeout(180_000);
      const root = tempFolder('s3-stale-upload');
      const server = await startRadosgwServer();
      try {
        const weights = randomBytes(40 * MiB);
        const [a, b] = ['a', 'b'].map((name) => {
          const cwd = path.join(root, name);
          mkdirSync(cwd);
          ok(mreg(['init', '--store', server.uri('team')], { cwd, env }), 'init');
          writeFileSync(path.join(cwd, 'big.bin'), weights);
          ok(mreg(['register', name, 'big.bin'], { cwd, env }), 'register');
          return cwd;
        });
        const child = spawn(process.execPath, [MREG, 'sync'], { cwd: a, env: { ...process.env, ...env }, stdio: 'ignore' });
        assert.ok(await killWhen(child, () => (unfinishedUploads(a)[0]?.parts?.length ?? 0) >= 1), 'the sync was killed during the upload');
        const [stale] = unfinishedUploads(a);
        ok(await mregAsync(['sync'], { cwd: b, env }), 'b uploads the same blob in full');

        const before = server.requests.length;
        ok(await mregAsync(['sync'], { cwd: a, env }), 'sync a');
        const after = server.requests.slice(before);
        assert.deepEqual(partNumbers(after), [], 'a sends no part of a blob the store has');
        assert.ok(
          after.some((request) => request.method === 'DELETE' && request.query.uploadId === stale.id),
          'a asks the service to abort its unfinished upload',
        );
        assert.deepEqual(unfinishedUploads(a), []);
        const s3 = (await radosgw()).client();
        try {
          const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: server.bucket }));
          assert.deepEqual((listed.Uploads ?? []).map((upload) => upload.UploadId), [], 'the service no longer holds the aborted upload');
        } finally {
          s3.destroy();
        }
      } finally {
        await server.close();
      }
    });
  });
});
