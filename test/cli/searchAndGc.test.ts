import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../src/index';
import { json, mreg, mregAsync, type MregResult } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface Hit {
  model: string;
  number: number;
  stage: string;
  data: { uri: string; sha256: string | null }[];
  orderValue?: number;
}

function run(cwd: string, args: string[]): ReturnType<typeof mreg> {
  const result = mreg(args, { cwd });
  assert.equal(result.status, 0, `mreg ${args.join(' ')}: ${result.stderr}`);
  return result;
}

describe('mreg search', () => {
  it('finds versions by query, orders, limits, and points at mistakes', () => {
    const cwd = writeFiles(tempFolder('cli-search'), { 'a.onnx': 'a', 'b.onnx': 'b', 'c.onnx': 'c', 'train.csv': '1,2\n' });
    run(cwd, ['register', 'fraud', 'a.onnx', '--metric', 'accuracy=0.9', '--data', 'train.csv', '--param', 'lr=0.001']);
    run(cwd, ['register', 'fraud', 'b.onnx', '--metric', 'accuracy=0.95', '--stage', 'production', '--data', 'train.csv']);
    run(cwd, ['register', 'churn', 'c.onnx', '--metric', 'accuracy=0.8', '--data', 's3://b/churn.parquet', '--stage', 'production']);

    const best = json<Hit[]>(run(cwd, ['search', 'metrics.accuracy >= 0.85', '--order-by', 'metrics.accuracy DESC', '--limit', '1', '--json']));
    assert.deepEqual(best.map((hit) => [hit.model, hit.number, hit.orderValue]), [['fraud', 2, 0.95]]);

    // The README's recipe: which data trained each model now in Production.
    const production = json<Hit[]>(run(cwd, ['search', "stage = 'Production'", '--json']));
    assert.deepEqual(production.map((hit) => [hit.model, hit.data.map((data) => data.uri)]), [['churn', ['s3://b/churn.parquet']], ['fraud', ['train.csv']]]);
    // … and which versions were trained on data with this hash.
    const hash = production[1].data[0].sha256!;
    assert.deepEqual(json<Hit[]>(run(cwd, ['search', `data.sha256 = '${hash}'`, '--json'])).map((hit) => hit.number), [2, 1]);

    const text = run(cwd, ['search', "params.lr < 0.01 AND name LIKE 'fr%'"]).stdout;
    assert.match(text, /^VERSION\s+SEMVER\s+STAGE/);
    assert.match(text, /fraud\/1 .* train\.csv \([0-9a-f]{12}\)/);
    assert.match(text, /1 version\(s\)/);

    const wrong = mreg(['search', 'metrics.accuracy > 0.9 AND stag = production'], { cwd });
    assert.equal(wrong.status, 1);
    assert.equal(wrong.stdout, '');
    assert.equal(
      wrong.stderr,
      "mreg: Invalid query at column 28: unknown field 'stag'; did you mean 'stage'?\n  metrics.accuracy > 0.9 AND stag = production\n                             ^^^^\n",
    );
  });
});

describe('mreg gc', () => {
  it('lists what a dry run would delete, then deletes it leaving a tombstone', () => {
    const cwd = writeFiles(tempFolder('cli-gc'), { 'a.onnx': 'a', 'b.onnx': 'b', 'c.onnx': 'c' });
    for (const file of ['a.onnx', 'b.onnx', 'c.onnx']) run(cwd, ['register', 'm', file]);
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'retention:\n  keepLast: 2\n');
    const dry = run(cwd, ['gc', '--dry-run']).stdout;
    assert.match(dry, /^Would delete 1 version\(s\):\n.*\n  m\/1 +None .* older than the last 2 version\(s\) and never in Staging or Production\n/);
    assert.match(dry, /Blobs no live version refers to: 2 \(\d+ B\); would remove now: 0 \(0 B\); kept for the 24 h grace period: 2/);
    assert.deepEqual(json<{ number: number }[]>(run(cwd, ['versions', 'm', '--json'])).map((v) => v.number), [3, 2, 1]);

    const report = json<{ deleted: { model: string; number: number }[]; unreferenced: { count: number } }>(run(cwd, ['gc', '--json']));
    assert.deepEqual(report.deleted.map((v) => `${v.model}/${v.number}`), ['m/1']);
    const shown = mreg(['show', 'm/1'], { cwd });
    assert.equal(shown.status, 1);
    assert.match(shown.stderr, /m\/1 was deleted on .* \(retention: older than the last 2/);
    assert.equal(json<{ version: number }>(run(cwd, ['register', 'm', 'a.onnx', '--tag', 'again=yes', '--json'])).version, 4);
    const bad = mreg(['gc', '--keep-last', '0'], { cwd });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /'keepLast' in the gc options must be a whole number of versions, at least 1, not 0/);
  });

  it('never removes a blob a live version refers to while registrations run alongside it', async function () {
    this.timeout(180_000);
    const size = 4 * 1024 * 1024;
    const files: Record<string, Buffer> = {};
    // Each registration first reuses a blob gc is removing (old-*), then hashes a big new file:
    // the window in which a gc may remove the reused blob before the version is written.
    for (let i = 0; i < 3; i++) files[`old-${i}.onnx`] = Buffer.alloc(1024, 10 + i);
    for (let i = 0; i < 8; i++) files[`new-${i}.bin`] = Buffer.alloc(size, 50 + i);
    const cwd = writeFiles(tempFolder('cli-gc-race'), files);
    for (let i = 0; i < 3; i++) run(cwd, ['register', 'old', `old-${i}.onnx`]);
    run(cwd, ['register', 'old', `new-0.bin`]);
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'retention:\n  keepLast: 1\n  blobGraceHours: 0\n');
    run(cwd, ['gc']); // deletes old/1..3 and marks their blobs: any later gc removes them

    let registering = true;
    const chain = async (indexes: number[]): Promise<MregResult[]> => {
      const results: MregResult[] = [];
      for (const i of indexes) results.push(await mregAsync(['register', 'reuse', `old-${i % 3}.onnx`, `new-${i}.bin`], { cwd }));
      return results;
    };
    const registrations = Promise.all([chain([0, 2, 4, 6]), chain([1, 3, 5, 7])]).finally(() => (registering = false));
    const collections = (async () => {
      const results: MregResult[] = [];
      while (registering) results.push(await mregAsync(['gc'], { cwd }));
      return results;
    })();
    const results = [...(await registrations).flat(), ...(await collections)];
    for (const result of results) assert.equal(result.status, 0, result.stderr);
    assert.ok(results.length >= 10, `${results.length - 8} gc runs alongside 8 registrations`);

    // Every version still live has every blob, byte for byte.
    const verify = mreg(['verify'], { cwd });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const hits = json<{ model: string; number: number }[]>(run(cwd, ['search', '', '--json']));
    assert.ok(hits.some((hit) => hit.model === 'reuse'));
    for (const hit of hits) {
      const resolved = json<{ artifacts: { blobPath: string; size: number }[] }>(run(cwd, ['resolve', `${hit.model}/${hit.number}`, '--json']));
      for (const artifact of resolved.artifacts) assert.equal(statSync(artifact.blobPath).size, artifact.size);
    }
  });
});

describe('mreg gc during a registration', () => {
  it('removing a blob a registration is about to reuse makes the registration store it again', async () => {
    const cwd = writeFiles(tempFolder('cli-gc-window'), { 'old.onnx': 'old weights', 'newer.onnx': 'newer', 'zz-big.bin': Buffer.alloc(8 * 1024 * 1024, 1) });
    run(cwd, ['register', 'm', 'old.onnx']);
    run(cwd, ['register', 'm', 'newer.onnx']);
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'retention:\n  keepLast: 1\n  blobGraceHours: 0\n');
    run(cwd, ['gc']); // deletes m/1; old.onnx's blob is now marked
    const registry = await Registry.open({ folder: path.join(cwd, '.modelregistry'), actor: 'carol@example.com' });
    try {
      let sweep: { removed: { count: number } } | undefined;
      const version = await registry.register(
        { model: 'again', paths: [path.join(cwd, 'old.onnx'), path.join(cwd, 'zz-big.bin')], git: null },
        {
          onProgress: (_done, _total, item) => {
            // old.onnx's blob has been reused; while zz-big.bin is hashed, another process collects.
            if (item === 'zz-big.bin' && !sweep) sweep = json(run(cwd, ['gc', '--json']));
          },
        },
      );
      assert.ok(sweep && sweep.removed.count >= 1, 'the gc removed the reused blob in the window');
      const { manifest } = registry.version(`again/${version.number}`);
      for (const artifact of manifest.artifacts) assert.ok(registry.blobs.has(artifact.sha256), artifact.path);
      assert.deepEqual((await registry.verify()).problems, []);
    } finally {
      await registry.close();
    }
  });
});
