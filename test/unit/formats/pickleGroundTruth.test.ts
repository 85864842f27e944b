import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import { PYTHON2_MODULES, PYTHON2_NAMES } from '../../../src/formats/pickleCompatNames';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

describe('pickle scanner against Python', () => {
  it('lists exactly the imports CPython makes loading benign pickles of every protocol, with no finding', async () => {
    const folder = tempFolder('benign');
    execFileSync('python3', [path.join(__dirname, '..', '..', 'support', 'benignPickles.py'), folder], { stdio: ['ignore', 'ignore', 'inherit'] });
    const expected = JSON.parse(readFileSync(path.join(folder, 'expected.json'), 'utf8')) as Record<string, string[]>;
    assert.equal(Object.keys(expected).length, 18);
    for (const [name, imports] of Object.entries(expected)) {
      const inspection = await inspectArtifact(path.join(folder, name));
      assert.deepEqual(String(inspection.summary.pickleImports).split(', ').filter(Boolean), imports, name);
      assert.deepEqual(inspection.findings, [], name);
      assert.equal(inspection.summary.pickleScanComplete, true, name);
    }
  });

  it('renames Python 2 imports with the same table as the interpreter', () => {
    const script = 'import _compat_pickle as c, json; print(json.dumps({"modules": c.IMPORT_MAPPING, "names": {m + " " + n: list(v) for (m, n), v in c.NAME_MAPPING.items()}}))';
    const python = JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' })) as { modules: Record<string, string>; names: Record<string, string[]> };
    assert.deepEqual({ ...PYTHON2_MODULES }, python.modules);
    assert.deepEqual(Object.fromEntries(Object.entries(PYTHON2_NAMES).map(([key, value]) => [key, [...value]])), python.names);
  });
});
