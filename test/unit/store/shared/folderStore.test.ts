import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RegistryFolder } from '../../../../src/store/registryFolder';
import { FolderStore } from '../../../../src/store/shared/folderStore';
import { blobKey } from '../../../../src/store/shared/sharedStore';
import { UploadJournal } from '../../../../src/store/shared/uploadJournal';
import { useTempFolders } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

describe('FolderStore uploads', () => {
  function setup(name: string, size: number) {
    const root = tempFolder(name);
    const bytes = randomBytes(size);
    const source = path.join(root, 'big.bin');
    writeFileSync(source, bytes);
    const storeRoot = path.join(root, 'store');
    mkdirSync(storeRoot);
    const store = new FolderStore(storeRoot);
    const journal = new UploadJournal(new RegistryFolder(path.join(root, 'registry')), storeRoot);
    const key = blobKey(createHash('sha256').update(bytes).digest('hex'));
    return { bytes, source, store, storeRoot, journal, key };
  }

  /** An upload cut off once `limit` bytes are in the store (the share went away, the process was stopped). */
  async function interruptedUpload(store: FolderStore, key: string, source: string, journal: UploadJournal, limit: number): Promise<void> {
    await assert.rejects(
      store.putFile(
        key,
        source,
        (done) => {
          if (done >= limit) throw new Error('connection to the share lost');
        },
        journal,
      ),
      /connection to the share lost/,
    );
  }

  it('continues a copy that was cut off from the partial file instead of starting over', async () => {
    const { bytes, source, store, storeRoot, journal, key } = setup('folder-resume', 20 * 1024 * 1024);
    await interruptedUpload(store, key, source, journal, 8 * 1024 * 1024);
    const record = journal.get(key);
    assert.ok(record, 'the journal holds the unfinished upload');
    const kept = statSync(path.join(storeRoot, 'tmp', record.id)).size;
    assert.ok(kept > 0 && kept < bytes.length, `the partial file holds ${kept} bytes`);
    assert.equal(existsSync(path.join(storeRoot, ...key.split('/'))), false, 'nothing published under the name');

    const reports: number[] = [];
    await store.putFile(key, source, (done) => reports.push(done), journal);
    assert.equal(reports[0], kept, 'the resumed copy starts where the partial file ends');
    assert.equal(reports[reports.length - 1], bytes.length);
    assert.deepEqual(readFileSync(path.join(storeRoot, ...key.split('/'))), bytes);
    assert.equal(journal.get(key), undefined);
    assert.deepEqual(readdirSync(path.join(storeRoot, 'tmp')), [], 'no partial file left');
  });

  it('starts over when the partial file does not hold the start of the blob', async () => {
    const { bytes, source, store, storeRoot, journal, key } = setup('folder-resume-damaged', 12 * 1024 * 1024);
    await interruptedUpload(store, key, source, journal, 4 * 1024 * 1024);
    const partial = path.join(storeRoot, 'tmp', journal.get(key)!.id);
    const damaged = readFileSync(partial);
    damaged[100] ^= 0xff;
    writeFileSync(partial, damaged);

    await store.putFile(key, source, undefined, journal);
    assert.deepEqual(readFileSync(path.join(storeRoot, ...key.split('/'))), bytes, 'the blob holds the right bytes');
    assert.equal(journal.get(key), undefined);
  });

  it('discards an unfinished upload when asked to', async () => {
    const { source, store, storeRoot, journal, key } = setup('folder-abort', 9 * 1024 * 1024);
    await interruptedUpload(store, key, source, journal, 4 * 1024 * 1024);
    await store.abortUpload(journal.get(key)!);
    assert.deepEqual(readdirSync(path.join(storeRoot, 'tmp')), []);
  });
});
