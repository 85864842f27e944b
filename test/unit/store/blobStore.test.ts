import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, closeSync, writeSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BlobStore } from '../../../src/store/blobStore';
import { StatCache } from '../../../src/store/statCache';
import { copyAndHash, hashFile, hashWhileCopying } from '../../../src/store/fileHashing';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function storeIn(folder: string): BlobStore {
  return new BlobStore(folder, new StatCache(path.join(folder, 'cache', 'stat')));
}

describe('fileHashing', () => {
  it('hashes and copies a file spanning several read chunks, byte for byte', async () => {
    const dir = tempFolder();
    const data = randomBytes(9 * 1024 * 1024 + 17);
    writeFileSync(path.join(dir, 'src.bin'), data);
    const copied = await copyAndHash(path.join(dir, 'src.bin'), path.join(dir, 'copy.bin'));
    assert.deepEqual(copied, { sha256: sha256(data), size: data.length });
    assert.ok(readFileSync(path.join(dir, 'copy.bin')).equals(data));
    assert.deepEqual(await hashFile(path.join(dir, 'src.bin')), copied);
  });

  it('copies in the kernel while hashing, byte for byte, over several read chunks', async () => {
    const dir = tempFolder();
    const data = randomBytes(9 * 1024 * 1024 + 5);
    writeFileSync(path.join(dir, 'src.bin'), data);
    const progress: number[] = [];
    const copied = await hashWhileCopying(path.join(dir, 'src.bin'), path.join(dir, 'copy.bin'), { onProgress: (done) => progress.push(done) });
    assert.deepEqual(copied, { sha256: sha256(data), size: data.length });
    assert.ok(readFileSync(path.join(dir, 'copy.bin')).equals(data));
    assert.equal(progress.at(-1), data.length);
    await assert.rejects(hashWhileCopying(path.join(dir, 'src.bin'), path.join(dir, 'copy.bin')), { code: 'EEXIST' });
  });

  it('stops when cancelled', async () => {
    const dir = tempFolder();
    writeFileSync(path.join(dir, 'src.bin'), randomBytes(1024));
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(hashFile(path.join(dir, 'src.bin'), { signal: controller.signal }), { code: 'CANCELLED' });
  });
});

describe('BlobStore', () => {
  it('stores a file under blobs/sha256/<2 hex>/<hash>', async () => {
    const dir = tempFolder();
    writeFileSync(path.join(dir, 'model.bin'), 'weights');
    const blob = await storeIn(dir).putFile(path.join(dir, 'model.bin'));
    assert.equal(blob.sha256, sha256('weights'));
    assert.equal(readFileSync(path.join(dir, 'blobs', 'sha256', blob.sha256.slice(0, 2), blob.sha256), 'utf8'), 'weights');
  });

  it('never writes an existing blob again, but marks it as just used (for gc)', async () => {
    const dir = tempFolder();
    writeFileSync(path.join(dir, 'a.bin'), 'same bytes');
    writeFileSync(path.join(dir, 'b.bin'), 'same bytes');
    const store = storeIn(dir);
    const first = await store.putFile(path.join(dir, 'a.bin'));
    const longAgo = new Date('2020-01-01T00:00:00Z');
    utimesSync(store.pathOf(first.sha256), longAgo, longAgo);
    const before = statSync(store.pathOf(first.sha256));
    await store.putFile(path.join(dir, 'b.bin'));
    store.putBytes(Buffer.from('same bytes'));
    const after = statSync(store.pathOf(first.sha256));
    assert.equal(after.ino, before.ino);
    assert.ok(store.lastUsed(first.sha256)!.getTime() > Date.now() - 60_000, 'reused just now');
    assert.deepEqual(readdirSync(path.join(dir, 'tmp')), []);
  });

  it('re-hashes a same-size overwrite that put the old mtime back (the stat cache keys on ctime too)', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'model.bin');
    writeFileSync(file, 'version one');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    const store = storeIn(dir);
    const first = await store.putFile(file);
    const inode = statSync(file).ino;
    writeFileSync(file, 'version two');
    utimesSync(file, 1_700_000_000, 1_700_000_000);
    assert.equal(statSync(file).ino, inode, 'overwritten in place');
    const second = await store.putFile(file);
    assert.notEqual(second.sha256, first.sha256);
    assert.equal(second.sha256, sha256('version two'));
    assert.equal(readFileSync(store.pathOf(second.sha256), 'utf8'), 'version two');
  });

  it('re-hashes when the cached blob has gone', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'model.bin');
    writeFileSync(file, 'weights');
    const store = storeIn(dir);
    const blob = await store.putFile(file);
    rmSync(store.pathOf(blob.sha256));
    await store.putFile(file);
    assert.equal(readFileSync(store.pathOf(blob.sha256), 'utf8'), 'weights');
  });

  // A file changed within the last 2 s is copied through user space (its stat could miss a write in
  // the same timestamp tick); an older one is copied by the kernel while it is hashed. Both must
  // refuse a change and leave nothing behind when cancelled.
  for (const age of ['just written', 'written over 2 s ago'] as const) {
    describe(`with a source ${age}`, () => {
      const SIZE = 12 * 1024 * 1024;
      let settled: string;
      before(async function () {
        this.timeout(10_000);
        settled = tempFolder();
        for (const name of ['changing.bin', 'cancelled.bin']) writeFileSync(path.join(settled, name), randomBytes(SIZE));
        if (age !== 'just written') await new Promise((resolve) => setTimeout(resolve, 2100));
      });

      it('refuses a source that changes while it is being stored, leaving no blob and no temporary', async () => {
        const dir = tempFolder();
        const file = path.join(settled, 'changing.bin');
        const store = storeIn(dir);
        let rewritten = false;
        const rewriteTail = () => {
          if (rewritten) return;
          rewritten = true;
          // A trainer still writing: the last chunk changes after the first one was read.
          const fd = openSync(file, 'r+');
          writeSync(fd, randomBytes(4096), 0, 4096, SIZE - 4096);
          closeSync(fd);
        };
        await assert.rejects(store.putFile(file, { onProgress: rewriteTail }), { code: 'CONFLICT', message: /changed while it was being read/ });
        assert.ok(rewritten);
        assert.deepEqual(readdirSync(path.join(dir, 'tmp')), []);
        assert.equal(existsSync(store.root) ? [...store.list()].length : 0, 0);
      });

      it('cancelled mid-copy, leaves no blob and no temporary', async () => {
        const dir = tempFolder();
        const store = storeIn(dir);
        const controller = new AbortController();
        await assert.rejects(store.putFile(path.join(settled, 'cancelled.bin'), { signal: controller.signal, onProgress: () => controller.abort() }), { code: 'CANCELLED' });
        assert.deepEqual(readdirSync(path.join(dir, 'tmp')), []);
        assert.equal(existsSync(store.root) ? [...store.list()].length : 0, 0);
        const stored = await store.putFile(path.join(settled, 'cancelled.bin'));
        assert.equal(stored.sha256, sha256(readFileSync(path.join(settled, 'cancelled.bin'))));
        assert.ok(readFileSync(store.pathOf(stored.sha256)).equals(readFileSync(path.join(settled, 'cancelled.bin'))));
      });
    });
  }

  it('checks a blob against its name', async () => {
    const dir = tempFolder();
    const store = storeIn(dir);
    const { sha256: digest } = store.putBytes(Buffer.from('manifest'));
    assert.equal(await store.check(digest), 'ok');
    writeFileSync(store.pathOf(digest), 'tampered');
    assert.equal(await store.check(digest), 'damaged');
    assert.throws(() => store.readBytes(digest), { code: 'CORRUPT' });
    assert.equal(await store.check('0'.repeat(64)), 'missing');
  });

  it('lists only blobs, and names every other file in its folder a stray', async () => {
    const dir = tempFolder();
    const store = storeIn(dir);
    const blob = store.putBytes(Buffer.from('weights'));
    const prefix = path.join(store.root, blob.sha256.slice(0, 2));
    const wrongPrefix = blob.sha256.slice(0, 2) === 'ff' ? 'ee' : 'ff';
    const misplaced = sha256('elsewhere');
    const strays = [
      path.join(store.root, '.DS_Store'),
      path.join(prefix, '.DS_Store'),
      path.join(prefix, `${blob.sha256}~`),
      path.join(prefix, blob.sha256.toUpperCase()),
      path.join(store.root, wrongPrefix, misplaced.startsWith(wrongPrefix) ? sha256('x') : misplaced),
      path.join(store.root, 'notes'),
    ];
    for (const stray of strays) {
      mkdirSync(path.dirname(stray), { recursive: true });
      writeFileSync(stray, 'not a blob');
    }
    mkdirSync(path.join(prefix, sha256('a folder named like a blob')));
    strays.push(path.join(prefix, sha256('a folder named like a blob')));
    assert.deepEqual([...store.list()], [{ sha256: blob.sha256, size: 7 }]);
    assert.deepEqual(store.strays().sort(), strays.sort());
  });
});
