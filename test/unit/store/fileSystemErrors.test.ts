import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileSystemError, makeFolder, registryErrorFromFileSystem } from '../../../src/store/fileSystemErrors';
import { isRegistryError } from '../../../src/core/registryError';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

/** The shape node gives its fs errors (EIO cannot be produced here without a failing disk). */
const osError = (code: string, syscall: string, file?: string) => Object.assign(new Error(`${code}: ${syscall}`), { code, syscall, ...(file ? { path: file } : {}) });

describe('fileSystemError', () => {
  it('names the file and a remedy for each error a disk or a folder can give', () => {
    const remedies: [string, RegExp][] = [
      ['ENOSPC', /the disk holding \/r\/oplog\.jsonl is full \(ENOSPC\)\. Free some space/],
      ['EDQUOT', /quota .* \(EDQUOT\)/],
      ['EROFS', /\/r\/oplog\.jsonl is on a read-only file system \(EROFS\)\. Remount it read-write/],
      ['EACCES', /permission denied for \/r\/oplog\.jsonl \(EACCES\)\. Give your user write access to \/r/],
      ['EPERM', /refused .* \(EPERM\)/],
      ['EIO', /the disk reported an I\/O error for \/r\/oplog\.jsonl \(EIO\)\. The disk or the network share may be failing/],
      ['EMFILE', /too many files are open .* \(EMFILE\)/],
    ];
    for (const [code, remedy] of remedies) {
      const mapped = fileSystemError(osError(code, 'write'), '/r/oplog.jsonl', 'append to /r/oplog.jsonl');
      assert.ok(isRegistryError(mapped, 'IO'), code);
      assert.match(mapped.message, /^Could not append to \/r\/oplog\.jsonl: /);
      assert.match(mapped.message, remedy);
    }
  });

  it('prefers the path node names, and the folder of a temporary file', () => {
    assert.match((fileSystemError(osError('EROFS', 'open', '/r/tmp/.tmp-abc-1-ff-blob'), '/r', 'store') as Error).message, /\/r\/tmp is on a read-only/);
    assert.match(registryErrorFromFileSystem(osError('ENOSPC', 'mkdir', '/r/snapshots'))!.message, /^Could not mkdir \/r\/snapshots: the disk holding \/r\/snapshots is full/);
  });

  it('leaves other errors as they are', () => {
    const other = osError('ENOENT', 'open', '/x');
    assert.equal(fileSystemError(other, '/x', 'read'), other);
    assert.equal(registryErrorFromFileSystem(new TypeError('not fs')), undefined);
  });

  it('reports why a folder could not be made, where mkdir -p says only ENOENT', () => {
    const root = tempFolder('mkdir');
    writeFileSync(path.join(root, 'file'), '');
    assert.throws(() => makeFolder(path.join(root, 'file', 'sub'), 'create sub'), (error: Error) => (error as NodeJS.ErrnoException).code === 'ENOTDIR');
    mkdirSync(path.join(root, 'ok'));
    makeFolder(path.join(root, 'ok', 'a', 'b'), 'create a/b');
  });
});
