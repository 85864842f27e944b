import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onnxBytes } from '../support/modelFixtures';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();
/** A real (tiny) ONNX model, so registration inspects it without a warning. */
const MODEL_ONNX = onnxBytes({ inputs: [{ name: 'x', elemType: 1, dims: ['batch', 4] }], outputs: [{ name: 'score', elemType: 1, dims: ['batch'] }] });

function project(): string {
  return writeFiles(tempFolder('cli'), {
    'model.onnx': MODEL_ONNX,
    'tokenizer/vocab.json': '{"hello": 0}',
    'data/train.csv': 'x,y\n1,0\n',
  });
}

interface RegisterJson {
  model: string;
  version: number;
  id: string;
  fingerprint: string;
  artifacts: { path: string; sha256: string; size: number }[];
}

describe('mreg', () => {
  describe('init', () => {
    it('creates .modelregistry with a .gitignore that keeps data out of git', () => {
      const cwd = project();
      const result = mreg(['init', '--json'], { cwd });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(json(result), { registry: path.join(cwd, '.modelregistry'), created: true });
      const gitignore = readFileSync(path.join(cwd, '.modelregistry', '.gitignore'), 'utf8');
      assert.match(gitignore, /^\*$/m);
      assert.match(gitignore, /^!policy\.yaml$/m);
      assert.equal(json<{ created: boolean }>(mreg(['init', '--json'], { cwd })).created, false);
    });

    it('puts the registry at the git root when run in a subfolder, unless told otherwise', () => {
      const cwd = project();
      execFileSync('git', ['init', '-q'], { cwd });
      mkdirSync(path.join(cwd, 'sub'));
      assert.equal(json<{ registry: string }>(mreg(['init', '--json'], { cwd: path.join(cwd, 'sub') })).registry, path.join(cwd, '.modelregistry'));
      const elsewhere = path.join(cwd, 'elsewhere');
      assert.equal(json<{ registry: string }>(mreg(['init', '--json'], { cwd, env: { MREG_REGISTRY: elsewhere } })).registry, elsewhere);
      assert.equal(json<{ registry: string }>(mreg(['--registry', 'flag', 'init', '--json'], { cwd, env: { MREG_REGISTRY: elsewhere } })).registry, path.join(cwd, 'flag'));
    });
  });

  describe('register', () => {
    it('prints the new version as JSON with every artifact', () => {
      const cwd = project();
      const result = mreg(
        ['register', 'fraud-detector', 'model.onnx', 'tokenizer', '--metric', 'auc=0.91', '--metric-direction', 'auc=max', '--param', 'lr=0.01', '--data', 'data/train.csv', '--data', 's3://bucket/train', '--tag', 'team=risk', '--semver', '1.0.0', '--description', 'first', '--stage', 'staging', '--json'],
        { cwd },
      );
      assert.equal(result.status, 0, result.stderr);
      const version = json<RegisterJson & { stage: string; semver: string }>(result);
      assert.deepEqual([version.model, version.version, version.stage, version.semver], ['fraud-detector', 1, 'Staging', '1.0.0']);
      assert.deepEqual(version.artifacts.map((a) => a.path), ['model.onnx', 'tokenizer/vocab.json']);
      assert.match(version.fingerprint, /^[0-9a-f]{64}$/);
      assert.equal(result.stderr, '');
      const shown = json<{ manifest: { metrics: unknown; lineage: { params: unknown; data: { uri: string }[] } }; tags: unknown; description: string }>(mreg(['show', 'fraud-detector/1', '--json'], { cwd }));
      assert.deepEqual(shown.manifest.metrics, { auc: { value: 0.91, direction: 'max' } });
      assert.deepEqual(shown.manifest.lineage.params, { lr: 0.01 });
      assert.deepEqual(shown.manifest.lineage.data.map((d) => d.uri), ['data/train.csv', 's3://bucket/train']);
      assert.deepEqual(shown.tags, { team: 'risk' });
    });

    it('refuses a duplicate with exit 1 and one line naming the existing version', () => {
      const cwd = project();
      assert.equal(mreg(['register', 'm', 'model.onnx'], { cwd }).status, 0);
      const again = mreg(['register', 'm', 'model.onnx'], { cwd });
      assert.equal(again.status, 1);
      assert.match(again.stderr, /^mreg: This exact version is already registered as m\/1/);
      assert.equal(again.stderr.trim().split('\n').length, 1);
      assert.equal(again.stdout, '');
    });

    it('exits 2 on usage errors', () => {
      const cwd = project();
      for (const args of [['register', 'm'], ['register', 'm', 'model.onnx', '--metric', 'auc'], ['register', 'm', 'model.onnx', '--metric', 'auc=high'], ['register', 'm', 'model.onnx', '--stage', 'live'], ['frobnicate']]) {
        const result = mreg(args, { cwd });
        assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
        assert.match(result.stderr, /^mreg: /);
      }
      assert.equal(existsSync(path.join(cwd, '.modelregistry', 'oplog.jsonl')), false);
    });

    it('exits 1 for a bad model name or a missing file', () => {
      const cwd = project();
      assert.match(mreg(['register', 'fraud:1', 'model.onnx'], { cwd }).stderr, /^mreg: Invalid model name/);
      const missing = mreg(['register', 'm', 'nope.onnx'], { cwd });
      assert.equal(missing.status, 1);
      assert.match(missing.stderr, /nope\.onnx does not exist/);
    });

    it('registers the new bytes of a file overwritten in place with the same size and the old mtime (cp -p)', () => {
      const cwd = writeFiles(tempFolder('cli-cp-p'), { 'model.bin': 'weights, first run', 'incoming/model.bin': 'weights, run two!!' });
      const model = path.join(cwd, 'model.bin');
      const incoming = path.join(cwd, 'incoming', 'model.bin');
      for (const file of [model, incoming]) utimesSync(file, 1_700_000_000, 1_700_000_000);
      const sha256sum = (file: string) => execFileSync('sha256sum', [file], { encoding: 'utf8' }).split(' ')[0];
      const first = json<RegisterJson>(mreg(['register', 'm', 'model.bin', '--json'], { cwd }));
      assert.equal(first.artifacts[0].sha256, sha256sum(model));
      execFileSync('cp', ['-p', incoming, model]);
      assert.equal(statSync(model).mtimeMs, 1_700_000_000_000);
      const second = mreg(['register', 'm', 'model.bin', '--json'], { cwd });
      assert.equal(second.status, 0, second.stderr);
      assert.equal(json<RegisterJson>(second).artifacts[0].sha256, sha256sum(incoming));
      assert.equal(mreg(['verify'], { cwd }).status, 0);
    });
  });

  describe('lifecycle', () => {
    it('lists, promotes, aliases, resolves and logs', () => {
      const cwd = project();
      const first = json<RegisterJson>(mreg(['register', 'm', 'model.onnx', '--metric', 'auc=0.8', '--json'], { cwd }));
      json<RegisterJson>(mreg(['register', 'm', 'model.onnx', '--metric', 'auc=0.9', '--json'], { cwd }));
      assert.equal(mreg(['promote', 'm/1', 'production', '--reason', 'first release'], { cwd }).status, 0);
      const promoted = json<{ stage: string }>(mreg(['promote', 'models:/m/2', 'Production', '--json'], { cwd }));
      assert.equal(promoted.stage, 'Production');
      assert.equal(mreg(['alias', 'm/2', 'champion'], { cwd }).status, 0);

      const versions = json<{ number: number; stage: string; aliases: string[] }[]>(mreg(['versions', 'm', '--json'], { cwd }));
      assert.deepEqual(versions.map((v) => [v.number, v.stage, v.aliases]), [[2, 'Production', ['champion']], [1, 'Archived', []]]);
      assert.deepEqual(json<{ name: string; productionVersion: number }[]>(mreg(['models', '--json'], { cwd })).map((m) => [m.name, m.productionVersion]), [['m', 2]]);

      const resolved = mreg(['resolve', 'm@champion', '--json'], { cwd });
      const body = json<{ version: { number: number }; artifacts: { sha256: string; size: number; blobPath: string }[] }>(resolved);
      assert.equal(body.version.number, 2);
      assert.equal(body.artifacts[0].sha256, first.artifacts[0].sha256);
      assert.ok(existsSync(body.artifacts[0].blobPath));
      assert.equal(resolved.stderr, '');

      const events = json<{ type: string; reason: string | null }[]>(mreg(['log', 'm', '--json'], { cwd }));
      assert.deepEqual(events.slice(0, 3).map((e) => e.type), ['version.alias_set', 'version.stage_changed', 'version.stage_changed']);
      assert.equal(events.find((e) => e.reason === 'first release')?.type, 'version.stage_changed');
      assert.equal(json<unknown[]>(mreg(['log', '--limit', '2', '--json'], { cwd })).length, 2);

      assert.equal(mreg(['unalias', 'm', 'champion'], { cwd }).status, 0);
      assert.match(mreg(['resolve', 'm@champion'], { cwd }).stderr, /^mreg: Model 'm' has no alias 'champion'/);
    });

    it('warns on stderr when a bare name resolves to the latest version', () => {
      const cwd = project();
      mreg(['register', 'm', 'model.onnx'], { cwd });
      const result = mreg(['resolve', 'm', '--json'], { cwd });
      assert.equal(result.status, 0);
      assert.match(result.stderr, /warning: 'm' resolved to the latest version, m\/1; deployments should pin/);
      assert.equal(json<{ version: { number: number } }>(result).version.number, 1);
    });

    it('prints people-readable tables without --json', () => {
      const cwd = project();
      mreg(['register', 'm', 'model.onnx', '--semver', '2.0.0'], { cwd });
      assert.match(mreg(['versions', 'm'], { cwd }).stdout, /^VERSION\s+SEMVER\s+STAGE/);
      assert.match(mreg(['show', 'm@v2.0.0'], { cwd }).stdout, /Artifacts\n\s+PATH\s+SIZE\s+SHA256\n\s+model\.onnx/);
      assert.match(mreg(['models'], { cwd }).stdout, /^MODEL\s+VERSIONS/);
    });
  });

  describe('pull', () => {
    it('writes verified artifacts and never overwrites a different file without --force', () => {
      const cwd = project();
      mreg(['register', 'm', 'model.onnx', 'tokenizer', '--stage', 'production'], { cwd });
      const out = path.join(cwd, 'deploy');
      const pulled = json<{ files: { path: string; status: string }[] }>(mreg(['pull', 'm@production', '--to', out, '--json'], { cwd }));
      assert.deepEqual(pulled.files.map((f) => [f.path, f.status]), [['model.onnx', 'written'], ['tokenizer/vocab.json', 'written']]);
      assert.equal(readFileSync(path.join(out, 'tokenizer', 'vocab.json'), 'utf8'), '{"hello": 0}');

      writeFileSync(path.join(out, 'model.onnx'), 'someone else');
      const refused = mreg(['pull', 'm@production', '--to', out], { cwd });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /already has different files at model\.onnx; nothing was written/);
      assert.equal(readFileSync(path.join(out, 'model.onnx'), 'utf8'), 'someone else');

      assert.equal(mreg(['pull', 'm@production', '--to', out, '--force'], { cwd }).status, 0);
      assert.deepEqual(readFileSync(path.join(out, 'model.onnx')), MODEL_ONNX);
    });
  });

  describe('resolve', () => {
    it('exits 1 naming an artifact whose blob is missing, and with --verify one whose bytes changed', () => {
      const cwd = project();
      const version = json<RegisterJson>(mreg(['register', 'm', 'model.onnx', 'tokenizer', '--json'], { cwd }));
      assert.equal(mreg(['resolve', 'm/1', '--verify'], { cwd }).status, 0);
      const [model, vocab] = version.artifacts;
      const blobOf = (sha: string) => path.join(cwd, '.modelregistry', 'blobs', 'sha256', sha.slice(0, 2), sha);
      const bytes = readFileSync(blobOf(model.sha256));
      bytes[0] ^= 1;
      writeFileSync(blobOf(model.sha256), bytes);
      assert.equal(mreg(['resolve', 'm/1'], { cwd }).status, 0, 'without --verify the bytes are not read');
      const damaged = mreg(['resolve', 'm/1', '--verify'], { cwd });
      assert.equal(damaged.status, 1);
      assert.match(damaged.stderr, new RegExp(`^mreg: m/1 has damaged artifacts: the bytes of model\\.onnx \\(blob ${model.sha256}\\) no longer match their hash`));
      rmSync(blobOf(vocab.sha256));
      const missing = mreg(['resolve', 'm/1'], { cwd });
      assert.equal(missing.status, 1);
      assert.equal(missing.stdout, '', 'no path is printed for bytes that are not there');
      assert.match(missing.stderr, new RegExp(`^mreg: m/1 is not fully held here: tokenizer/vocab\\.json \\(blob ${vocab.sha256}\\) is missing from `));
    });
  });

  describe('verify', () => {
    it('exits 0 on a healthy registry and 1 listing a flipped byte', () => {
      const cwd = project();
      const version = json<RegisterJson>(mreg(['register', 'm', 'model.onnx', '--json'], { cwd }));
      assert.equal(mreg(['verify'], { cwd }).status, 0);
      const sha = version.artifacts[0].sha256;
      const blob = path.join(cwd, '.modelregistry', 'blobs', 'sha256', sha.slice(0, 2), sha);
      const bytes = readFileSync(blob);
      bytes[3] ^= 0x20;
      writeFileSync(blob, bytes);
      const result = mreg(['verify', '--json'], { cwd });
      assert.equal(result.status, 1);
      const report = json<{ problems: { kind: string; message: string }[] }>(result);
      assert.deepEqual(report.problems.map((p) => p.kind), ['blob-damaged']);
      assert.match(report.problems[0].message, new RegExp(sha));
      assert.match(result.stderr, /^mreg: verify found 1 problem/);
    });

    it('reports files in the blob folder that are not blobs as strays, and gc leaves them alone', () => {
      const cwd = project();
      const version = json<RegisterJson>(mreg(['register', 'm', 'model.onnx', '--json'], { cwd }));
      const blobs = path.join(cwd, '.modelregistry', 'blobs', 'sha256');
      const sha = version.artifacts[0].sha256;
      const strays = [path.join(blobs, '.DS_Store'), path.join(blobs, sha.slice(0, 2), `${sha}.orig`)];
      for (const stray of strays) writeFileSync(stray, 'not a blob');
      const result = mreg(['verify', '--json'], { cwd });
      assert.equal(result.status, 0, result.stderr);
      const report = json<{ problems: unknown[]; strays: string[] }>(result);
      assert.deepEqual(report.problems, []);
      assert.deepEqual(report.strays.sort(), strays.sort());
      assert.match(mreg(['verify'], { cwd }).stdout, /No problems found\.\n2 file\(s\) in the blob folder are not blobs; they were left alone/);
      const gc = mreg(['gc', '--json'], { cwd });
      assert.equal(gc.status, 0, gc.stderr);
      for (const stray of strays) assert.equal(readFileSync(stray, 'utf8'), 'not a blob');
      assert.equal(mreg(['pull', 'm/1', '--to', 'out'], { cwd }).status, 0);
    });
  });
});
