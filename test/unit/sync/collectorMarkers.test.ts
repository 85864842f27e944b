import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import path from 'node:path';
import { COLLECTOR_PREFIX, waitForCollectors, withCollectorMarker } from '../../../src/sync/collectorMarkers';
import { FolderStore } from '../../../src/store/shared/folderStore';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const BATCH = 'log/00000000000000000001.json';

async function storeWithBatch(): Promise<{ store: FolderStore; root: string }> {
  const root = tempFolder('collector-store');
  const store = new FolderStore(root);
  await store.createOnly(BATCH, Buffer.from('{}'));
  return { store, root };
}

describe('collector markers', () => {
  it('let a push go on at once when no gc is running', async () => {
    const { store } = await storeWithBatch();
    assert.equal(await waitForCollectors(store, BATCH), false);
  });

  it('make a push wait for a running gc to finish, then check its blobs', async () => {
    const { store } = await storeWithBatch();
    let finish!: () => void;
    const running = withCollectorMarker(store, new Date(), () => new Promise<void>((resolve) => (finish = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    let waited: boolean | undefined;
    const push = waitForCollectors(store, BATCH).then((result) => (waited = result));
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(waited, undefined, 'the push waits while the gc may remove blobs');
    finish();
    await running;
    assert.equal(await push, true, 'then it checks the blobs its batch names');
    assert.ok((await store.list(COLLECTOR_PREFIX)).some((key) => key.endsWith('.done')));
  });

  it('ignore a marker from long before the batch (a gc that ended, or died, earlier)', async () => {
    const { store, root } = await storeWithBatch();
    await store.createOnly(`${COLLECTOR_PREFIX}dead`, Buffer.from('{}'));
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(path.join(root, 'collectors', 'dead'), old, old);
    assert.equal(await waitForCollectors(store, BATCH), false);
  });

  it('make a push check its blobs after a gc that ran while the push was uploading, however long that took', async () => {
    const { store, root } = await storeWithBatch();
    await store.createOnly(`${COLLECTOR_PREFIX}during`, Buffer.from('{}'));
    await store.createOnly(`${COLLECTOR_PREFIX}during.done`, Buffer.from('done'));
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    for (const name of ['during', 'during.done']) utimesSync(path.join(root, 'collectors', name), tenMinutesAgo, tenMinutesAgo);
    assert.equal(await waitForCollectors(store, BATCH, 5 * 60_000), false, 'a gc done before the push began checking blobs');
    assert.equal(await waitForCollectors(store, BATCH, 15 * 60_000), true, 'a gc during the push: its blobs are checked');
  });
});
