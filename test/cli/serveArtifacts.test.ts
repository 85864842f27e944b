import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertMlflowError } from '../support/mlflowContract';
import { json, mreg } from '../support/mregProcess';
import { call, startServe, type RunningServe } from '../support/serveProcess';
import { makeClient } from '../support/syncClients';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const TOKEN = 'f3a9c2e17b5d48e0a6c4b2d19e8f7a60';

function ok(result: ReturnType<typeof mreg>, what: string): ReturnType<typeof mreg> {
  assert.equal(result.status, 0, `${what}: ${result.stderr}`);
  return result;
}

/** An MLflow model folder as `mlflow.pyfunc.save_model` lays one out, with bytes the test knows. */
function modelFolder(): Record<string, Buffer> {
  return {
    'clf/MLmodel': Buffer.from('flavors:\n  python_function:\n    loader_module: tiny_loader\n    data: data\n'),
    'clf/data/weights.json': Buffer.from('{"bias": 1.5}\n'),
    'clf/data/nested/blob.bin': randomBytes(300_000),
  };
}

const blobPathOf = (cwd: string, ref: string, artifact: string) => json<{ artifacts: { path: string; blobPath: string }[] }>(ok(mreg(['resolve', ref, '--json'], { cwd }), 'resolve')).artifacts.find((entry) => entry.path === artifact)!.blobPath;

describe('mreg serve: artifacts for MLflow clients', function () {
  this.timeout(60_000);
  let cwd: string;
  let files: Record<string, Buffer>;
  let server: RunningServe;
  const list = (artifactPath?: string) => call(server.url, 'GET', `${ARTIFACTS}${artifactPath === undefined ? '' : `?path=${encodeURIComponent(artifactPath)}`}`);
  const download = (rawPath: string) => call(server.url, 'GET', `${ARTIFACTS}/${rawPath}`);

  before(async () => {
    files = modelFolder();
    cwd = writeFiles(tempFolder('serve-artifacts'), { ...files, 'model.onnx': 'onnx weights', 'other.onnx': 'other weights' });
    ok(mreg(['register', 'clf', 'clf', '--no-discover'], { cwd }), 'register the folder');
    ok(mreg(['register', 'fraud', 'model.onnx', '--no-discover'], { cwd }), 'register a file');
    ok(mreg(['register', 'other', 'other.onnx', '--no-discover'], { cwd }), 'register another file');
    server = await startServe([], { cwd });
  });
  after(async () => server && (await server.stop()));

  it('lists the artifact space: models, their versions, and a version registered from a folder as seen from inside it', async () => {
    assert.deepEqual((await list()).json(), { files: [{ path: 'models', is_dir: true }] });
    assert.deepEqual((await list('models')).json(), { files: ['clf', 'fraud', 'other'].map((name) => ({ path: name, is_dir: true })) });
    assert.deepEqual((await list('models/clf')).json(), { files: [{ path: '1', is_dir: true }] });
    assert.deepEqual((await list('models/clf/1')).json(), { files: [{ path: 'MLmodel', is_dir: false, file_size: files['clf/MLmodel'].length }, { path: 'data', is_dir: true }] });
    assert.deepEqual((await list('models/clf/1/data')).json(), {
      files: [{ path: 'nested', is_dir: true }, { path: 'weights.json', is_dir: false, file_size: files['clf/data/weights.json'].length }],
    });
    assert.deepEqual((await list('models/clf/1/data/nested/')).json(), { files: [{ path: 'blob.bin', is_dir: false, file_size: 300_000 }] });
    assert.deepEqual((await list('models/fraud/1')).json(), { files: [{ path: 'model.onnx', is_dir: false, file_size: 12 }] });
  });

  it('lists a file or an absent path inside a version as empty (what MLflow clients read as "a file"); an unknown model or version is 404', async () => {
    assert.deepEqual((await list('models/clf/1/MLmodel')).json(), {});
    assert.deepEqual((await list('models/clf/1/nothing/here')).json(), {});
    assertMlflowError(await list('models/nosuch'), 'RESOURCE_DOES_NOT_EXIST');
    assertMlflowError(await list('models/clf/7'), 'RESOURCE_DOES_NOT_EXIST');
    assertMlflowError(await list('runs/0/abc'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('downloads every file byte for byte, as an attachment', async () => {
    for (const [file, bytes] of Object.entries(files)) {
      const answer = await download(`models/clf/1/${file.slice('clf/'.length)}`);
      assert.equal(answer.status, 200, file);
      assert.ok(answer.body.equals(bytes), `${file}: the bytes registered`);
      assert.equal(answer.headers['content-length'], String(bytes.length));
      assert.equal(answer.headers['content-type'], 'application/octet-stream');
      assert.equal(answer.headers['content-disposition'], `attachment; filename="${path.posix.basename(file)}"`);
    }
    assert.equal((await download('models/fraud/1/model.onnx')).body.toString(), 'onnx weights');
    assertMlflowError(await download('models/clf/1/data'), 'RESOURCE_DOES_NOT_EXIST', /is a folder/);
    assertMlflowError(await download('models/clf/1/absent.txt'), 'RESOURCE_DOES_NOT_EXIST', /no artifact/);
  });

  it('refuses paths that climb out or are absolute, however they are spelled, and never reads the file system by them', async () => {
    for (const hostile of ['models/clf/1/../../fraud/1/model.onnx', 'models/clf/1/%2e%2e/%2E%2E/fraud/1/model.onnx', 'models/clf/1/data/..%2f..%2fMLmodel', '%2fetc%2fpasswd', 'models//clf/1/MLmodel', 'models/clf/1/.%2fMLmodel', 'models/clf/1/data%5cweights.json']) {
      assertMlflowError(await download(hostile), 'INVALID_PARAMETER_VALUE', /Invalid artifact path/);
    }
    for (const hostile of ['models/clf/1/../../../', '/etc', 'models/clf/1/data/../MLmodel']) assertMlflowError(await list(hostile), 'INVALID_PARAMETER_VALUE', /Invalid artifact path/);
    assertMlflowError(await download('etc/passwd'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('serves only a blob that hashes to its name: a damaged, replaced-by-link or missing blob is refused, also after it was served whole once', async () => {
    const blob = blobPathOf(cwd, 'other/1', 'other.onnx');
    assert.equal((await download('models/other/1/other.onnx')).body.toString(), 'other weights', 'served whole first');
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'OTHER weights');
    const damaged = await download('models/other/1/other.onnx');
    assertMlflowError(damaged, 'DATA_LOSS', /damaged \(its bytes no longer match its hash\)/);
    assert.ok(!damaged.body.includes('OTHER'), 'none of the wrong bytes are sent');

    rmSync(blob);
    const decoy = path.join(cwd, 'decoy.onnx');
    writeFileSync(decoy, 'other weights');
    symlinkSync(decoy, blob);
    assertMlflowError(await download('models/other/1/other.onnx'), 'DATA_LOSS', /not a regular file/);

    rmSync(blob);
    assertMlflowError(await download('models/other/1/other.onnx'), 'RESOURCE_DOES_NOT_EXIST', /no shared store/);
    assert.match(server.stderr(), /damaged/, 'the server log says a blob is damaged');
  });

  it('refuses uploads and deletions through the artifact API', async () => {
    assertMlflowError(await call(server.url, 'PUT', `${ARTIFACTS}/models/fraud/1/model.onnx`, { body: 'x' }), 'NOT_IMPLEMENTED', /immutable/);
    assertMlflowError(await call(server.url, 'DELETE', `${ARTIFACTS}/models/fraud/1/model.onnx`), 'NOT_IMPLEMENTED');
  });
});

describe('mreg serve: fetching from the shared store, tokens, read-only', function () {
  this.timeout(60_000);

  it('fetches a blob it does not hold from the shared store on first download, hash-checked', async () => {
    const root = tempFolder('serve-store');
    const store = path.join(root, 'store');
    const writer = makeClient(root, 'writer', store);
    const bytes = randomBytes(50_000);
    writeFileSync(path.join(writer, 'model.bin'), bytes);
    ok(mreg(['register', 'shared', 'model.bin', '--no-discover'], { cwd: writer }), 'register');
    ok(mreg(['sync'], { cwd: writer }), 'push');
    const reader = makeClient(root, 'reader', store);
    ok(mreg(['sync'], { cwd: reader }), 'pull');
    const blob = blobPathOf(reader, 'shared/1', 'model.bin');
    if (existsSync(blob)) rmSync(blob);

    const server = await startServe([], { cwd: reader });
    try {
      const answer = await call(server.url, 'GET', `${ARTIFACTS}/models/shared/1/model.bin`);
      assert.equal(answer.status, 200, answer.body.toString());
      assert.ok(answer.body.equals(bytes));
      assert.ok(existsSync(blob), 'kept in the local blob store for the next request');
    } finally {
      await server.stop();
    }
  });

  it('with --sync-every, a read-only server picks up what others push to the shared store', async () => {
    const root = tempFolder('serve-follow');
    const store = path.join(root, 'store');
    const writer = makeClient(root, 'writer', store);
    writeFileSync(path.join(writer, 'model.bin'), 'first');
    ok(mreg(['register', 'live', 'model.bin', '--no-discover', '--stage', 'production'], { cwd: writer }), 'register');
    ok(mreg(['sync'], { cwd: writer }), 'push');
    const reader = makeClient(root, 'reader', store);
    ok(mreg(['sync'], { cwd: reader }), 'pull');
    const server = await startServe(['--read-only', '--sync-every', '1'], { cwd: reader });
    try {
      writeFileSync(path.join(writer, 'model.bin'), 'second');
      ok(mreg(['register', 'live', 'model.bin', '--no-discover', '--stage', 'production'], { cwd: writer }), 'register v2');
      ok(mreg(['sync'], { cwd: writer }), 'push v2');
      // Waits for the event (a pull round), not for a time: the deadline only keeps a broken server from hanging the suite.
      let production: string | undefined;
      for (const deadline = Date.now() + 30_000; production !== '2' && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        const answer = await call(server.url, 'POST', '/api/2.0/mlflow/registered-models/get-latest-versions', { body: { name: 'live', stages: ['Production'] } });
        production = answer.json<{ model_versions: { version: string }[] }>().model_versions[0].version;
      }
      assert.equal(production, '2', `the pushed Production version reached the server; its stderr: ${server.stderr()}`);
      assert.equal((await call(server.url, 'GET', `${ARTIFACTS}/models/live/2/model.bin`)).body.toString(), 'second', 'its blob is fetched from the store');
    } finally {
      await server.stop();
    }
    const noStore = mreg(['serve', '--port', '0', '--sync-every', '5'], { cwd: tempFolder('serve-no-store') });
    assert.equal(noStore.status, 1);
    assert.match(noStore.stderr, /--sync-every needs a shared store/);
  });

  it('with --token, every request needs the bearer token; registry and artifact endpoints alike', async () => {
    const cwd = writeFiles(tempFolder('serve-token'), { 'model.onnx': 'w' });
    ok(mreg(['register', 'm', 'model.onnx', '--no-discover'], { cwd }), 'register');
    const server = await startServe(['--token', TOKEN], { cwd });
    try {
      for (const target of ['/api/2.0/mlflow/registered-models/get?name=m', `${ARTIFACTS}/models/m/1/model.onnx`, '/health']) {
        const none = await call(server.url, 'GET', target);
        assertMlflowError(none, 'UNAUTHENTICATED', /Bearer/);
        assert.equal(none.headers['www-authenticate'], 'Bearer');
        assertMlflowError(await call(server.url, 'GET', target, { headers: { Authorization: `Bearer ${TOKEN.slice(0, -1)}x` } }), 'UNAUTHENTICATED');
        assertMlflowError(await call(server.url, 'GET', target, { headers: { Authorization: `Bearer ${TOKEN}${TOKEN}` } }), 'UNAUTHENTICATED');
        assertMlflowError(await call(server.url, 'GET', target, { headers: { Authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` } }), 'UNAUTHENTICATED');
        assert.equal((await call(server.url, 'GET', target, { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200, target);
      }
    } finally {
      await server.stop();
    }
  });

  it('refuses to listen beyond loopback without a token, and a token too short to be one', () => {
    const cwd = tempFolder('serve-bind');
    const open = mreg(['serve', '--host', '0.0.0.0', '--port', '0'], { cwd });
    assert.equal(open.status, 1);
    assert.match(open.stderr, /^mreg: Refusing to listen on 0\.0\.0\.0 without a token/);
    assert.equal(open.stdout, '', 'it never said it was serving');
    const short = mreg(['serve', '--token', 'secret', '--port', '0'], { cwd });
    assert.equal(short.status, 1);
    assert.match(short.stderr, /at least 16/);
    assert.equal(mreg(['serve', '--port', '70000'], { cwd }).status, 2, 'a port out of range is a usage error');
  });

  it('listens beyond loopback with a token', async () => {
    const server = await startServe(['--host', '0.0.0.0'], { cwd: tempFolder('serve-wide'), env: { MREG_SERVE_TOKEN: TOKEN } });
    try {
      assert.match(server.url, /^http:\/\/0\.0\.0\.0:[0-9]+$/);
      assert.equal((await call(server.url.replace('0.0.0.0', '127.0.0.1'), 'GET', '/health', { headers: { Authorization: `Bearer ${TOKEN}` } })).status, 200);
      assert.equal(await server.stop(), 0, 'SIGTERM stops it cleanly');
    } finally {
      await server.stop();
    }
  });

  it('over a registry whose op log is damaged, answers reads and refuses changes with PERMISSION_DENIED naming mreg repair (no retried 5xx)', async () => {
    const cwd = writeFiles(tempFolder('serve-damaged'), { 'a.bin': 'first', 'b.bin': 'second' });
    for (const file of ['a.bin', 'b.bin']) ok(mreg(['register', 'm', file, '--no-discover'], { cwd }), 'register');
    const log = path.join(cwd, '.modelregistry', 'oplog.jsonl');
    const bytes = readFileSync(log);
    const secondLine = bytes.indexOf(0x0a) + 1;
    bytes.write('#GARBLED#', secondLine + 20);
    writeFileSync(log, bytes);
    for (const name of readdirSync(path.join(cwd, '.modelregistry', 'snapshots'))) rmSync(path.join(cwd, '.modelregistry', 'snapshots', name));
    const server = await startServe([], { cwd });
    try {
      assert.equal((await call(server.url, 'GET', '/api/2.0/mlflow/registered-models/get?name=m')).status, 200);
      const refused = await call(server.url, 'POST', '/api/2.0/mlflow/model-versions/transition-stage', { body: { name: 'm', version: '1', stage: 'Staging', archive_existing_versions: false } });
      assertMlflowError(refused, 'PERMISSION_DENIED', /damaged at byte .*mreg repair.* Nothing was changed\./);
    } finally {
      await server.stop();
    }
  });

  it('--read-only answers reads and downloads and refuses every change with PERMISSION_DENIED', async () => {
    const cwd = writeFiles(tempFolder('serve-read-only'), { 'model.onnx': 'w' });
    ok(mreg(['register', 'm', 'model.onnx', '--no-discover'], { cwd }), 'register');
    const server = await startServe(['--read-only'], { cwd });
    try {
      const API = '/api/2.0/mlflow';
      assert.equal((await call(server.url, 'GET', `${API}/model-versions/get?name=m&version=1`)).status, 200);
      assert.equal((await call(server.url, 'GET', `${ARTIFACTS}/models/m/1/model.onnx`)).body.toString(), 'w');
      const writes: [string, string, unknown][] = [
        ['POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'Production', archive_existing_versions: true }],
        ['POST', 'registered-models/alias', { name: 'm', alias: 'champion', version: '1' }],
        ['DELETE', 'registered-models/alias', { name: 'm', alias: 'champion' }],
        ['POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'k', value: 'v' }],
        ['PATCH', 'registered-models/update', { name: 'm', description: 'd' }],
      ];
      for (const [method, endpoint, body] of writes) assertMlflowError(await call(server.url, method, `${API}/${endpoint}`, { body }), 'PERMISSION_DENIED', /read-only/);
      const shown = json<{ stage: string; aliases: string[]; tags: object }>(mreg(['show', 'm/1', '--json'], { cwd }));
      assert.deepEqual([shown.stage, shown.aliases, shown.tags], ['None', [], {}]);
    } finally {
      await server.stop();
    }
  });
});
