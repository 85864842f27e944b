import assert from 'node:assert/strict';
import path from 'node:path';
import { json, mreg } from '../support/mregProcess';
import { OS_SYSTEM_PICKLE, TORCH_STATE_DICT_PICKLE, safetensorsBytes, zipBytes } from '../support/modelFixtures';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface ShownManifest {
  manifest: { artifacts: { path: string; inspection?: { format: string; parameterCount?: number; error?: string; findings: { severity: string; code: string }[] } }[] };
}

describe('mreg and weight-file inspection', () => {
  it('warns on stderr about a malicious pickle, records the finding, and shows it', () => {
    const cwd = writeFiles(tempFolder('cli-inspect'), { 'model.pt': zipBytes({ 'archive/data.pkl': OS_SYSTEM_PICKLE, 'archive/data/0': Buffer.alloc(8) }) });
    const registered = mreg(['register', 'classifier', 'model.pt'], { cwd });
    assert.equal(registered.status, 0, registered.stderr);
    assert.match(registered.stderr, /^mreg: warning: SECURITY: 1 finding\(s\) in classifier\/1; the files were not executed/m);
    assert.match(registered.stderr, /HIGH model\.pt: imports os\.system \(unpickling it can run commands or code\) \(at archive\/data\.pkl offset 2\) \[pickle\.unsafe-import\]/);

    const shown = mreg(['show', 'classifier/1'], { cwd });
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^Inspection\n {2}model\.pt: pytorch$/m);
    assert.match(shown.stdout, /^Security findings .*never executed.*\n {2}HIGH model\.pt: imports os\.system/m);

    const details = json<ShownManifest>(mreg(['show', 'classifier/1', '--json'], { cwd }));
    assert.deepEqual(details.manifest.artifacts[0].inspection?.findings.map((finding) => [finding.severity, finding.code]), [['high', 'pickle.unsafe-import']]);
  });

  it('prints no security warning for a clean checkpoint, and shows what was read', () => {
    const cwd = writeFiles(tempFolder('cli-inspect'), {
      'model.pt': zipBytes({ 'archive/data.pkl': TORCH_STATE_DICT_PICKLE }),
      'model.safetensors': safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [4, 4] }], { format: 'pt' }),
    });
    const registered = mreg(['register', 'classifier', 'model.pt', 'model.safetensors'], { cwd });
    assert.equal(registered.status, 0, registered.stderr);
    assert.doesNotMatch(registered.stderr, /SECURITY/);
    const shown = mreg(['show', 'classifier/1'], { cwd }).stdout;
    assert.match(shown, /^ {2}model\.safetensors: safetensors, 16 parameters, 1 tensors$/m);
    assert.match(shown, /^ {4}metadata\.format: pt$/m);
    assert.doesNotMatch(shown, /Security findings/);
  });

  it('registers a truncated weight file with a warning naming it, or without inspection when asked', () => {
    const cwd = writeFiles(tempFolder('cli-inspect'), { 'model.safetensors': safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [4, 4] }]).subarray(0, 40) });
    const registered = mreg(['register', 'classifier', 'model.safetensors', '--json'], { cwd });
    assert.equal(registered.status, 0, registered.stderr);
    assert.match(registered.stderr, /^mreg: warning: model\.safetensors: not a readable safetensors file: its header claims 57 bytes but the file holds only 32 after the length$/m);
    const details = json<ShownManifest>(mreg(['show', 'classifier/1', '--json'], { cwd }));
    assert.match(details.manifest.artifacts[0].inspection?.error ?? '', /^not a readable safetensors file/);

    const skipped = mreg(['register', 'plain', path.join(cwd, 'model.safetensors'), '--no-inspect'], { cwd });
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.equal(skipped.stderr, '');
    assert.equal(json<ShownManifest>(mreg(['show', 'plain/1', '--json'], { cwd })).manifest.artifacts[0].inspection, undefined);
  });
});

describe('mreg inspect', () => {
  it('prints what registration would record and exits 1 on a high-severity finding', () => {
    const cwd = writeFiles(tempFolder('cli-inspect'), { 'evil.pkl': OS_SYSTEM_PICKLE, 'model.safetensors': safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [2] }]) });
    const result = mreg(['inspect', 'model.safetensors', 'evil.pkl'], { cwd });
    assert.equal(result.status, 1);
    assert.match(result.stdout, /^model\.safetensors: safetensors, 2 parameters, 1 tensors$/m);
    assert.match(result.stdout, /^evil\.pkl: pickle$/m);
    assert.match(result.stdout, /^ {2}HIGH evil\.pkl: imports os\.system/m);
    assert.match(result.stderr, /^mreg: high-severity security findings/);
    const clean = mreg(['inspect', 'model.safetensors', '--json'], { cwd });
    assert.equal(clean.status, 0, clean.stderr);
    assert.deepEqual(json<{ file: string; format: string; parameterCount: number }[]>(clean).map((r) => [r.file, r.format, r.parameterCount]), [['model.safetensors', 'safetensors', 2]]);
  });

  it('fails with one line naming a corrupt file', () => {
    const cwd = writeFiles(tempFolder('cli-inspect'), { 'model.pt': Buffer.from('not a checkpoint') });
    const result = mreg(['inspect', 'model.pt'], { cwd });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^mreg: model\.pt is not a readable pytorch file: it is not a readable zip archive/);
  });

  it('prints every file it could read and an error for each one it could not, and exits 1', () => {
    const cwd = writeFiles(tempFolder('cli-inspect'), {
      'a.safetensors': safetensorsBytes([{ name: 'w', dtype: 'F32', shape: [3] }]),
      'broken.pt': Buffer.from('not a checkpoint'),
      'b.safetensors': safetensorsBytes([{ name: 'v', dtype: 'F32', shape: [5] }]),
    });
    const result = mreg(['inspect', 'a.safetensors', 'broken.pt', 'missing.onnx', 'b.safetensors', '--json'], { cwd });
    assert.equal(result.status, 1);
    const printed = json<{ file: string; format?: string; parameterCount?: number; error?: string }[]>(result);
    assert.deepEqual(printed.map((entry) => [entry.file, entry.format, entry.parameterCount]), [['a.safetensors', 'safetensors', 3], ['broken.pt', undefined, undefined], ['missing.onnx', undefined, undefined], ['b.safetensors', 'safetensors', 5]]);
    assert.match(printed[1].error ?? '', /^broken\.pt is not a readable pytorch file/);
    assert.match(printed[2].error ?? '', /^Cannot read missing\.onnx/);
    const text = mreg(['inspect', 'a.safetensors', 'broken.pt', 'b.safetensors'], { cwd });
    assert.equal(text.status, 1);
    assert.match(text.stdout, /^a\.safetensors: safetensors, 3 parameters/m);
    assert.match(text.stdout, /^b\.safetensors: safetensors, 5 parameters/m);
    assert.match(text.stderr, /^mreg: broken\.pt is not a readable pytorch file/m);
  });
});
