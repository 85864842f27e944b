import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatCache } from '../../../src/store/statCache';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
/** coreutils' answer, independent of our hashing. */
const sha256sum = (file: string) => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];

/** Waits until the file's last change is older than the window in which timestamps cannot vouch for content. */
async function ageBeyondRacyWindow(file: string): Promise<void> {
  const changedAtMs = Math.max(statSync(file).ctimeMs, statSync(file).mtimeMs);
  const wait = changedAtMs + 2_100 - Date.now();
  if (wait > 0) await sleep(wait);
}

describe('StatCache', () => {
  it('answers for an unchanged file without reading it', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'model.bin');
    writeFileSync(file, 'weights');
    await ageBeyondRacyWindow(file);
    const cache = new StatCache(path.join(dir, 'cache'));
    const { sha256 } = await cache.hash(file);
    assert.equal(sha256, sha256sum(file));
    assert.equal(cache.get(file, statSync(file, { bigint: true })), sha256);
  });

  it('does not trust timestamps of a file changed just before it was hashed (re-hashes when in doubt)', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'model.bin');
    writeFileSync(file, 'weights');
    const cache = new StatCache(path.join(dir, 'cache'));
    await cache.hash(file);
    assert.equal(cache.get(file, statSync(file, { bigint: true })), undefined);
    // The editor's marking still knows which content the file had.
    assert.deepEqual(cache.lookup(file, statSync(file, { bigint: true })), { sha256: sha256sum(file), current: true });
  });

  it('re-hashes after `cp -p` overwrote the file in place with same-size bytes and the same mtime', async () => {
    const dir = tempFolder();
    const file = path.join(dir, 'model.bin');
    const incoming = path.join(dir, 'incoming.bin');
    writeFileSync(file, 'version one');
    writeFileSync(incoming, 'version two');
    for (const each of [file, incoming]) utimesSync(each, 1_700_000_000, 1_700_000_000);
    await ageBeyondRacyWindow(file);
    const cache = new StatCache(path.join(dir, 'cache'));
    const before = statSync(file, { bigint: true });
    assert.equal((await cache.hash(file)).sha256, sha256sum(file));
    assert.ok(cache.get(file, before), 'the first hash is trusted');

    execFileSync('cp', ['-p', incoming, file]);
    const after = statSync(file, { bigint: true });
    assert.equal(after.ino, before.ino, 'cp -p writes into the same inode');
    assert.equal(after.size, before.size);
    assert.equal(after.mtimeNs, before.mtimeNs);
    assert.equal((await cache.hash(file)).sha256, sha256sum(file));
    assert.equal(sha256sum(file), sha256sum(incoming));
  });
});
