import assert from 'node:assert/strict';
import path from 'node:path';
import { isRegistryError } from '../../../src/core/registryError';
import { sha256Hex } from '../../../src/core/sha256';
import { captureDataLineage } from '../../../src/lineage/dataLineage';
import { StatCache } from '../../../src/store/statCache';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();

const DVC_LOCK = `schema: '2.0'
stages:
  prepare:
    cmd: python prepare.py
    deps:
    - path: data/raw.xml
      hash: md5
      md5: a304afb96060aad90176268345e10355
      size: 14445097
    - path: s3://bucket/extra.csv
      etag: '"0x8DA"'
    params:
      params.yaml:
        prepare.seed: 20170428
        prepare.split: 0.2
    outs:
    - path: data/prepared
      hash: md5
      md5: 20b786b6e6f80e2b3fcf17827ad18597.dir
      size: 8437363
      nfiles: 2
`;

describe('captureDataLineage', () => {
  it('hashes a file and a folder through the stat cache', async () => {
    const root = writeFiles(tempFolder('data'), { 'data/train.csv': 'x,y\n1,0\n', 'data/images/a.png': 'A', 'data/images/b.png': 'B' });
    const cache = new StatCache(path.join(root, '.cache'));
    const [file] = await captureDataLineage(path.join(root, 'data/train.csv'), root, cache);
    assert.deepEqual(file, { uri: 'data/train.csv', kind: 'file', sha256: sha256Hex('x,y\n1,0\n'), size: 8 });
    const [folder] = await captureDataLineage(path.join(root, 'data/images'), root, cache);
    assert.equal(folder.kind, 'folder');
    assert.equal(folder.files, 2);
    assert.equal(folder.sha256, sha256Hex(`images/a.png\0${sha256Hex('A')}\nimages/b.png\0${sha256Hex('B')}\n`));
  });

  it('records a URI as given, with an optional #sha256= or #etag=', async () => {
    const root = tempFolder('data-uri');
    const hasher = new StatCache(path.join(root, '.cache'));
    assert.deepEqual(await captureDataLineage('gs://bucket/train.parquet', root, hasher), [{ uri: 'gs://bucket/train.parquet', kind: 'uri' }]);
    const digest = 'AB'.repeat(32);
    assert.deepEqual(await captureDataLineage(`s3://bucket/k.csv#sha256=${digest}`, root, hasher), [{ uri: 's3://bucket/k.csv', kind: 'uri', sha256: digest.toLowerCase() }]);
    assert.deepEqual(await captureDataLineage('https://host/d.zip#etag=%229f%22', root, hasher), [{ uri: 'https://host/d.zip', kind: 'uri', etag: '"9f"' }]);
    await assert.rejects(captureDataLineage('s3://bucket/k#sha256=xyz', root, hasher), (error) => isRegistryError(error, 'INVALID_INPUT') && /64 hex/.test(error.message));
    await assert.rejects(captureDataLineage(path.join(root, 'missing.csv'), root, hasher), (error) => isRegistryError(error, 'NOT_FOUND'));
  });

  it('reads dvc.lock and .dvc files without hashing, comparing what is on disk with what DVC records', async () => {
    const root = writeFiles(tempFolder('data-dvc'), {
      'dvc.lock': DVC_LOCK,
      'data/raw.xml.dvc': 'outs:\n- md5: a304afb96060aad90176268345e10355\n  size: 14445097\n  hash: md5\n  path: raw.xml\n',
      'data/raw.xml': 'not hashed with sha256: DVC knows its md5',
    });
    const hasher = { hash: (): Promise<never> => Promise.reject(new Error('nothing should be hashed')) };
    const fromLock = await captureDataLineage(path.join(root, 'dvc.lock'), root, hasher);
    const stale = { localSize: 41, local: 'differs', warning: 'data/raw.xml is 41 bytes on disk where dvc.lock records 14445097: it is not the data DVC recorded (dvc status; dvc pull or dvc commit).' };
    assert.deepEqual(fromLock, [
      { uri: 'data/raw.xml', kind: 'file', md5: 'a304afb96060aad90176268345e10355', hash: 'md5', size: 14445097, source: 'dvc.lock', stage: 'prepare', role: 'dep', ...stale },
      { uri: 's3://bucket/extra.csv', kind: 'uri', etag: '"0x8DA"', source: 'dvc.lock', stage: 'prepare', role: 'dep' },
      { uri: 'data/prepared', kind: 'folder', md5: '20b786b6e6f80e2b3fcf17827ad18597.dir', hash: 'md5', size: 8437363, files: 2, source: 'dvc.lock', stage: 'prepare', role: 'out', local: 'not-pulled' },
    ]);
    const expected = { uri: 'data/raw.xml', kind: 'file', md5: 'a304afb96060aad90176268345e10355', hash: 'md5', size: 14445097, source: 'data/raw.xml.dvc', role: 'out', ...stale, warning: stale.warning.replace('dvc.lock records', 'data/raw.xml.dvc records') };
    assert.deepEqual(await captureDataLineage(path.join(root, 'data/raw.xml.dvc'), root, hasher), [expected]);
    assert.deepEqual(await captureDataLineage(path.join(root, 'data/raw.xml'), root, hasher), [expected]);
  });

  it('names a DVC file that is not YAML', async () => {
    const root = writeFiles(tempFolder('data-bad-dvc'), { 'broken.dvc': 'outs: [\n' });
    await assert.rejects(captureDataLineage(path.join(root, 'broken.dvc'), root, new StatCache(path.join(root, '.c'))), (error) => isRegistryError(error, 'INVALID_INPUT') && error.message.includes('broken.dvc'));
  });
});
