import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { SnapshotFiles } from '../../../../src/store/persistence/snapshotFiles';
import { useTempFolders } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

describe('SnapshotFiles', () => {
  it('names snapshots by sequence and checksum and keeps the newest three', () => {
    const snapshots = new SnapshotFiles(tempFolder());
    for (const seq of [3, 7, 12, 20]) snapshots.write(Buffer.from(`db at ${seq}`), seq);
    assert.deepEqual(snapshots.list().map((snapshot) => snapshot.seq), [20, 12, 7]);
    assert.equal(snapshots.newestSeq(), 20);
    assert.match(readdirSync(snapshots.dir)[0], /^\d{20}-[0-9a-f]{64}\.sqlite$/);
  });

  it('skips a damaged snapshot for the next intact one and reports it', () => {
    const snapshots = new SnapshotFiles(tempFolder());
    snapshots.write(Buffer.from('db at 7'), 7);
    snapshots.write(Buffer.from('db at 12'), 12);
    writeFileSync(snapshots.list()[0].file, 'db at 12, but flipped');
    const damaged: string[] = [];
    const intact = snapshots.readNewestIntact((file) => damaged.push(file));
    assert.equal(intact?.seq, 7);
    assert.equal(intact?.data.toString(), 'db at 7');
    assert.equal(damaged.length, 1);
  });
});
