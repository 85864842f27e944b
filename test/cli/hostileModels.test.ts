import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mreg } from '../support/mregProcess';
import { writeHostileModels } from '../support/hostileModels';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

describe('mreg and hostile model files', () => {
  it('mreg inspect exits 1 on every hostile file, naming the import it found', () => {
    const cwd = tempFolder('hostile-cli');
    const models = writeHostileModels(cwd);
    for (const model of models) {
      const name = path.basename(model.file);
      const result = mreg(['inspect', name], { cwd });
      assert.equal(result.status, 1, `${name}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, /^mreg: high-severity security findings/m, name);
      for (const qualified of model.imports) assert.ok(result.stdout.includes(`imports ${qualified} `), `${name}: ${result.stdout}`);
    }
  });

  it('refuses to promote a .keras whose weights hold a pickle calling os.system into Production', () => {
    const cwd = writeFiles(tempFolder('hostile-gate'), {});
    const [keras] = writeHostileModels(tempFolder('hostile-source')).filter((model) => path.basename(model.file) === 'weights-npz.keras');
    copyFileSync(keras.file, path.join(cwd, 'model.keras'));
    const registered = mreg(['register', 'classifier', 'model.keras'], { cwd });
    assert.equal(registered.status, 0, registered.stderr);
    assert.match(registered.stderr, /SECURITY: 1 finding\(s\) in classifier\/1/);
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'rules:\n  - models: "*"\n    stages: Production\n    lineage: {noPickleFindings: true}\n');
    const refused = mreg(['promote', 'classifier/1', 'production'], { cwd });
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(refused.stdout, /FAIL {4}no pickle security findings +model\.keras: high imports posix\.system/);
    const unscanned = mreg(['register', 'classifier', 'model.keras', '--no-inspect', '--description', 'again'], { cwd });
    assert.equal(unscanned.status, 0, unscanned.stderr);
    const refusedUnscanned = mreg(['promote', 'classifier/2', 'production'], { cwd });
    assert.equal(refusedUnscanned.status, 3, refusedUnscanned.stderr);
    assert.match(refusedUnscanned.stdout, /model\.keras may hold a pickle but was not scanned/);
  });
});
