import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { assertMlflowError, assertModelVersion, assertRegisteredModel, type ContractModelVersion, type ContractRegisteredModel } from '../support/mlflowContract';
import { json, mreg } from '../support/mregProcess';
import { call, startServe, type RunningServe } from '../support/serveProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();
const ALICE = { MREG_ACTOR: 'alice@example.com' };
const API = '/api/2.0/mlflow';

function ok(result: ReturnType<typeof mreg>, what: string): ReturnType<typeof mreg> {
  assert.equal(result.status, 0, `${what}: ${result.stderr}`);
  return result;
}

/** Registers `model` from a file holding `content`; returns nothing, the number is the next one. */
function register(cwd: string, model: string, content: string, extra: string[] = []): void {
  writeFileSync(path.join(cwd, 'model.onnx'), content);
  ok(mreg(['register', model, 'model.onnx', '--no-discover', ...extra], { cwd, env: ALICE }), `register ${model}`);
}

const q = (params: Record<string, string | string[]>) =>
  new URLSearchParams(Object.entries(params).flatMap(([key, value]) => (Array.isArray(value) ? value.map((item) => [key, item]) : [[key, value]]))).toString();

describe('mreg serve: the Model Registry part of MLflow REST API 2.0', function () {
  this.timeout(60_000);
  let cwd: string;
  let server: RunningServe;
  let registeredFrom: number;
  let registeredUntil: number;
  const get = (endpoint: string, params: Record<string, string | string[]> = {}) => call(server.url, 'GET', `${API}/${endpoint}?${q(params)}`);
  const send = (method: string, endpoint: string, body: unknown, headers: Record<string, string> = {}) => call(server.url, method, `${API}/${endpoint}`, { body, headers });

  before(async () => {
    cwd = writeFiles(tempFolder('serve'), {});
    registeredFrom = Date.now();
    register(cwd, 'fraud', 'weights one', ['--metric', 'auc=0.90', '--tag', 'team=risk']);
    ok(mreg(['promote', 'fraud/1', 'production'], { cwd }), 'promote');
    register(cwd, 'fraud', 'weights two', ['--metric', 'auc=0.87']);
    register(cwd, 'fraud', 'weights three', ['--metric', 'auc=0.97']);
    for (const name of ['alpha', 'bravo', 'charlie', 'delta']) register(cwd, name, `weights of ${name}`);
    registeredUntil = Date.now();
    server = await startServe(['--actor', 'serving-host'], { cwd });
  });
  after(async () => server && (await server.stop()));

  const stageOf = (ref: string) => json<{ stage: string }>(mreg(['show', ref, '--json'], { cwd })).stage;

  it('prints the URL to set as MLFLOW_TRACKING_URI, on loopback by default', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
  });

  it('get_registered_model: the model with its latest version per stage, tags and aliases', async () => {
    const answer = await get('registered-models/get', { name: 'fraud' });
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    const model = assertRegisteredModel(answer.json<{ registered_model: unknown }>().registered_model);
    assert.equal(model.name, 'fraud');
    assert.ok(model.creation_timestamp >= registeredFrom - 1000 && model.creation_timestamp <= registeredUntil, 'creation_timestamp is milliseconds since the epoch');
    const latest = Object.fromEntries((model.latest_versions ?? []).map((version) => [version.current_stage, version.version]));
    assert.deepEqual(latest, { None: '3', Production: '1' });
  });

  it('get_model_version: version as a string, stage, the registrant as user_id, status READY, tags, an mlflow-artifacts source', async () => {
    const answer = await get('model-versions/get', { name: 'fraud', version: '1' });
    assert.equal(answer.status, 200);
    const version = assertModelVersion(answer.json<{ model_version: unknown }>().model_version);
    assert.equal(version.name, 'fraud');
    assert.equal(version.version, '1');
    assert.equal(version.current_stage, 'Production');
    assert.equal(version.user_id, 'alice@example.com');
    assert.equal(version.status, 'READY');
    assert.deepEqual(version.tags, [{ key: 'team', value: 'risk' }]);
    assert.equal(version.source, 'mlflow-artifacts:/models/fraud/1');
  });

  it('get_model_version_download_uri: an mlflow-artifacts URI the client resolves against this server', async () => {
    const answer = await get('model-versions/get-download-uri', { name: 'fraud', version: '2' });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.json(), { artifact_uri: 'mlflow-artifacts:/models/fraud/2' });
  });

  it('get_latest_versions: by POST with a JSON body and by GET with repeated stages; stages in any case; all stages when none given', async () => {
    const posted = await send('POST', 'registered-models/get-latest-versions', { name: 'fraud', stages: ['production'] });
    assert.equal(posted.status, 200);
    const versions = posted.json<{ model_versions: unknown[] }>().model_versions.map((version) => assertModelVersion(version));
    assert.deepEqual(versions.map((version) => [version.version, version.current_stage]), [['1', 'Production']]);

    const both = await get('registered-models/get-latest-versions', { name: 'fraud', stages: ['None', 'Production'] });
    assert.deepEqual(both.json<{ model_versions: ContractModelVersion[] }>().model_versions.map((version) => version.version), ['3', '1']);

    const all = await send('POST', 'registered-models/get-latest-versions', { name: 'fraud' });
    assert.deepEqual(all.json<{ model_versions: ContractModelVersion[] }>().model_versions.map((version) => version.version).sort(), ['1', '3']);

    const none = await send('POST', 'registered-models/get-latest-versions', { name: 'fraud', stages: ['Staging'] });
    assert.deepEqual(none.json(), {}, 'an empty repeated field is left out');
    assertMlflowError(await send('POST', 'registered-models/get-latest-versions', { name: 'fraud', stages: ['Live'] }), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Live/);
    assertMlflowError(await send('POST', 'registered-models/get-latest-versions', { name: 'nosuch' }), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('search_registered_models: pages of max_results with next_page_token until the last page', async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const answer = await get('registered-models/search', { max_results: '2', ...(token ? { page_token: token } : {}) });
      assert.equal(answer.status, 200);
      const body = answer.json<{ registered_models: unknown[]; next_page_token?: string }>();
      assert.ok(body.registered_models.length <= 2);
      names.push(...body.registered_models.map((model) => assertRegisteredModel(model).name));
      token = body.next_page_token;
      pages += 1;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(names, ['alpha', 'bravo', 'charlie', 'delta', 'fraud']);

    const filtered = await get('registered-models/search', { filter: "name LIKE 'fr%'" });
    assert.deepEqual(filtered.json<{ registered_models: ContractRegisteredModel[] }>().registered_models.map((model) => model.name), ['fraud']);
    const reversed = await get('registered-models/search', { order_by: 'name DESC', max_results: '1' });
    assert.equal(reversed.json<{ registered_models: ContractRegisteredModel[] }>().registered_models[0].name, 'fraud');
    assert.deepEqual((await get('registered-models/search', { filter: "name = 'nothing'" })).json(), {});
  });

  it('search refuses a page token it did not hand out, max_results out of bounds, an unknown order_by field and a filter it cannot read', async () => {
    assertMlflowError(await get('registered-models/search', { page_token: 'not-a-token' }), 'INVALID_PARAMETER_VALUE', /page token/);
    assertMlflowError(await get('registered-models/search', { max_results: '0' }), 'INVALID_PARAMETER_VALUE');
    assertMlflowError(await get('registered-models/search', { max_results: '1001' }), 'INVALID_PARAMETER_VALUE');
    assertMlflowError(await get('registered-models/search', { max_results: 'ten' }), 'INVALID_PARAMETER_VALUE');
    assertMlflowError(await get('model-versions/search', { order_by: 'size DESC' }), 'INVALID_PARAMETER_VALUE', /order_by/);
    assertMlflowError(await get('model-versions/search', { filter: "run_id = 'abc'" }), 'INVALID_PARAMETER_VALUE', /run_id/);
  });

  it("search_model_versions: MLflow's name filter, order_by version_number, pages", async () => {
    const answer = await get('model-versions/search', { filter: "name='fraud'", order_by: 'version_number ASC' });
    assert.equal(answer.status, 200);
    const versions = answer.json<{ model_versions: unknown[] }>().model_versions.map((version) => assertModelVersion(version));
    assert.deepEqual(versions.map((version) => `${version.name}/${version.version}`), ['fraud/1', 'fraud/2', 'fraud/3']);

    const first = await get('model-versions/search', { filter: "name='fraud'", order_by: 'version_number DESC', max_results: '2' });
    const firstBody = first.json<{ model_versions: ContractModelVersion[]; next_page_token: string }>();
    assert.deepEqual(firstBody.model_versions.map((version) => version.version), ['3', '2']);
    const second = await get('model-versions/search', { filter: "name='fraud'", order_by: 'version_number DESC', max_results: '2', page_token: firstBody.next_page_token });
    const secondBody = second.json<{ model_versions: ContractModelVersion[]; next_page_token?: string }>();
    assert.deepEqual(secondBody.model_versions.map((version) => version.version), ['1']);
    assert.equal(secondBody.next_page_token, undefined);

    const everything = await get('model-versions/search');
    assert.equal(everything.json<{ model_versions: unknown[] }>().model_versions.length, 7);
  });

  it('aliases: set, get the version by alias, delete; a missing alias is RESOURCE_DOES_NOT_EXIST', async () => {
    const set = await send('POST', 'registered-models/alias', { name: 'fraud', alias: 'champion', version: '3' });
    assert.equal(set.status, 200);
    assert.deepEqual(set.json(), {});
    const byAlias = await get('registered-models/alias', { name: 'fraud', alias: 'champion' });
    const version = assertModelVersion(byAlias.json<{ model_version: unknown }>().model_version);
    assert.equal(version.version, '3');
    assert.deepEqual(version.aliases, ['champion']);
    const model = assertRegisteredModel((await get('registered-models/get', { name: 'fraud' })).json<{ registered_model: unknown }>().registered_model);
    assert.deepEqual(model.aliases, [{ alias: 'champion', version: '3' }]);

    const byStage = await get('registered-models/alias', { name: 'fraud', alias: 'production' });
    assert.equal(byStage.json<{ model_version: ContractModelVersion }>().model_version.current_stage, 'Production', "models:/fraud@production means the Production version, as in mreg (an alias may not be called 'production')");

    const deleted = await send('DELETE', 'registered-models/alias', { name: 'fraud', alias: 'champion' });
    assert.equal(deleted.status, 200);
    assertMlflowError(await get('registered-models/alias', { name: 'fraud', alias: 'champion' }), 'RESOURCE_DOES_NOT_EXIST');
    assertMlflowError(await send('POST', 'registered-models/alias', { name: 'fraud', alias: 'production', version: '3' }), 'INVALID_PARAMETER_VALUE', /stage name/);
  });

  it('transition_model_version_stage: moves the version, keeps one Production (the previous one archived even with archive_existing_versions=false), records the caller', async () => {
    const answer = await send('POST', 'model-versions/transition-stage', { name: 'alpha', version: '1', stage: 'production', archive_existing_versions: false }, { 'X-Model-Registry-Actor': 'deploy-bot' });
    assert.equal(answer.status, 200);
    assert.equal(assertModelVersion(answer.json<{ model_version: unknown }>().model_version).current_stage, 'Production');
    assert.equal(stageOf('alpha/1'), 'Production');
    const [event] = json<{ actor: string; type: string }[]>(mreg(['log', 'alpha', '--json'], { cwd }));
    assert.equal(event.actor, 'deploy-bot');

    register(cwd, 'alpha', 'alpha retrained');
    const second = await send('POST', 'model-versions/transition-stage', { name: 'alpha', version: '2', stage: 'Production', archive_existing_versions: false });
    assert.equal(second.status, 200);
    assert.equal(stageOf('alpha/1'), 'Archived', 'one Production: the previous one is archived');
    assert.equal(json<{ actor: string }[]>(mreg(['log', 'alpha', '--json'], { cwd }))[0].actor, 'serving-host', 'no header: the --actor identity');

    const again = await send('POST', 'model-versions/transition-stage', { name: 'alpha', version: '2', stage: 'Production', archive_existing_versions: false });
    assert.equal(again.status, 200, 'a version already in the stage is answered as it is');
  });

  it('records each of two concurrent writes with its own caller', async () => {
    const [first, second] = await Promise.all([
      send('POST', 'registered-models/alias', { name: 'charlie', alias: 'first', version: '1' }, { 'X-Model-Registry-Actor': 'carol@example.com' }),
      send('POST', 'registered-models/alias', { name: 'delta', alias: 'second', version: '1' }, { 'X-Model-Registry-Actor': 'dave@example.com' }),
    ]);
    assert.deepEqual([first.status, second.status], [200, 200]);
    assert.equal(json<{ actor: string }[]>(mreg(['log', 'charlie', '--json'], { cwd }))[0].actor, 'carol@example.com');
    assert.equal(json<{ actor: string }[]>(mreg(['log', 'delta', '--json'], { cwd }))[0].actor, 'dave@example.com');
  });

  it('archive_existing_versions into Staging archives the other Staging versions; into None it is refused', async () => {
    for (const content of ['b2', 'b3']) register(cwd, 'bravo', content);
    ok(mreg(['promote', 'bravo/1', 'staging'], { cwd }), 'promote');
    ok(mreg(['promote', 'bravo/2', 'staging'], { cwd }), 'promote');
    const answer = await send('POST', 'model-versions/transition-stage', { name: 'bravo', version: '3', stage: 'Staging', archive_existing_versions: true });
    assert.equal(answer.status, 200);
    assert.deepEqual(['bravo/1', 'bravo/2', 'bravo/3'].map(stageOf), ['Archived', 'Archived', 'Staging']);
    assertMlflowError(await send('POST', 'model-versions/transition-stage', { name: 'bravo', version: '3', stage: 'None', archive_existing_versions: true }), 'INVALID_PARAMETER_VALUE', /not an Active stage/);
    assertMlflowError(await send('POST', 'model-versions/transition-stage', { name: 'bravo', version: '3', stage: 'Shipped', archive_existing_versions: false }), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage/);
  });

  it("a transition the policy's gates refuse is PERMISSION_DENIED carrying the gates' report, and changes nothing", async () => {
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), ['rules:', '  - models: "fraud"', '    stages: Production', '    thresholds: ["auc >= 0.95"]'].join('\n'));
    try {
      const logBefore = mreg(['log', '--json'], { cwd }).stdout;
      const refused = await send('POST', 'model-versions/transition-stage', { name: 'fraud', version: '2', stage: 'Production', archive_existing_versions: true });
      const message = assertMlflowError(refused, 'PERMISSION_DENIED', /^fraud\/2 may not move to Production: 1 of 1 policy rule\(s\) failed \(auc >= 0\.95\)\. Nothing was changed\./);
      assert.match(message, /FAIL +auc >= 0\.95 +auc 0\.87 \(needs >= 0\.95\)/);
      assert.equal(stageOf('fraud/2'), 'None');
      assert.equal(stageOf('fraud/1'), 'Production');
      assert.equal(mreg(['log', '--json'], { cwd }).stdout, logBefore, 'no event was written');

      const passes = await send('POST', 'model-versions/transition-stage', { name: 'fraud', version: '3', stage: 'Production', archive_existing_versions: true });
      assert.equal(passes.status, 200, 'auc 0.97 passes the same gate');
      assert.equal(stageOf('fraud/1'), 'Archived');
    } finally {
      writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'rules: []\n');
    }
  });

  it('descriptions and tags of models and versions', async () => {
    assert.equal((await send('PATCH', 'registered-models/update', { name: 'charlie', description: 'the third' })).status, 200);
    assert.equal((await send('PATCH', 'model-versions/update', { name: 'charlie', version: '1', description: 'first cut' })).status, 200);
    assert.equal((await send('POST', 'registered-models/set-tag', { name: 'charlie', key: 'owner', value: 'ml-team' })).status, 200);
    assert.equal((await send('POST', 'model-versions/set-tag', { name: 'charlie', version: '1', key: 'validated', value: 'yes' })).status, 200);
    const model = assertRegisteredModel((await get('registered-models/get', { name: 'charlie' })).json<{ registered_model: unknown }>().registered_model);
    assert.equal(model.description, 'the third');
    assert.deepEqual(model.tags, [{ key: 'owner', value: 'ml-team' }]);
    const version = assertModelVersion((await get('model-versions/get', { name: 'charlie', version: '1' })).json<{ model_version: unknown }>().model_version);
    assert.equal(version.description, 'first cut');
    assert.deepEqual(version.tags, [{ key: 'validated', value: 'yes' }]);
    assert.equal((await send('DELETE', 'model-versions/delete-tag', { name: 'charlie', version: '1', key: 'validated' })).status, 200);
    assert.equal((await send('DELETE', 'registered-models/delete-tag', { name: 'charlie', key: 'owner' })).status, 200);
    assert.equal((await get('model-versions/get', { name: 'charlie', version: '1' })).json<{ model_version: ContractModelVersion }>().model_version.tags, undefined);
  });

  it('errors: unknown model or version 404, missing or malformed parameters 400, unknown endpoint 404, wrong method 405, creation and deletion 501', async () => {
    assertMlflowError(await get('registered-models/get', { name: 'nosuch' }), 'RESOURCE_DOES_NOT_EXIST', /nosuch/);
    assertMlflowError(await get('model-versions/get', { name: 'fraud', version: '99' }), 'RESOURCE_DOES_NOT_EXIST');
    assertMlflowError(await get('registered-models/get'), 'INVALID_PARAMETER_VALUE', /Missing value for required parameter 'name'/);
    assertMlflowError(await get('model-versions/get', { name: 'fraud', version: 'one' }), 'INVALID_PARAMETER_VALUE', /version/);
    assertMlflowError(await get('model-versions/get', { name: 'fraud', version: ['1', '2'] }), 'INVALID_PARAMETER_VALUE');
    assertMlflowError(await send('POST', 'model-versions/transition-stage', { name: 42, version: '1', stage: 'None' }), 'INVALID_PARAMETER_VALUE');
    assertMlflowError(await send('POST', 'model-versions/transition-stage', '{"name": "fraud",'), 'BAD_REQUEST', /not valid JSON/);
    assertMlflowError(await send('POST', 'model-versions/transition-stage', '[1, 2]'), 'BAD_REQUEST');
    assertMlflowError(await get('experiments/search'), 'ENDPOINT_NOT_FOUND');
    assertMlflowError(await call(server.url, 'GET', '/no/such/path'), 'ENDPOINT_NOT_FOUND');
    const wrongMethod = await call(server.url, 'DELETE', `${API}/registered-models/get?name=fraud`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.json<{ error_code: string }>().error_code, 'ENDPOINT_NOT_FOUND');
    assertMlflowError(await send('POST', 'registered-models/create', { name: 'newmodel' }), 'NOT_IMPLEMENTED', /mreg register/);
    assertMlflowError(await send('POST', 'model-versions/create', { name: 'fraud', source: 's3://x' }), 'NOT_IMPLEMENTED', /mreg register/);
    assertMlflowError(await send('DELETE', 'model-versions/delete', { name: 'fraud', version: '1' }), 'NOT_IMPLEMENTED', /immutable/);
    assertMlflowError(await send('DELETE', 'registered-models/delete', { name: 'fraud' }), 'NOT_IMPLEMENTED');
    assertMlflowError(await send('POST', 'registered-models/rename', { name: 'fraud', new_name: 'f2' }), 'NOT_IMPLEMENTED');
    assertMlflowError(await send('POST', 'model-versions/transition-stage', { name: 'fraud', version: '1', stage: 'None' }, { 'X-Model-Registry-Actor': ' ' }), 'INVALID_PARAMETER_VALUE', /X-Model-Registry-Actor|x-model-registry-actor/i);
    assert.equal(server.stderr(), '', 'no request was a defect');
  });
});
