import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Registry, type RegisterInput } from '../../../../src/index';
import { sha256Hex } from '../../../../src/core/sha256';
import { QUERY_LIMITS, QueryError } from '../../../../src/core/search/queryParser';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();
const HOSTILE = `risk'); DROP TABLE model_versions; --`;

/** Five versions of three models with everything a query can name. */
async function sampleRegistry(): Promise<{ registry: Registry; project: string; dataHash: string }> {
  const project = writeFiles(tempFolder('search'), {
    'a.onnx': 'a',
    'b.onnx': 'b',
    'c.safetensors': 'c',
    'd.pt': 'd',
    'e.onnx': 'e',
    'train.csv': 'x,y\n1,2\n',
  });
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
  const file = (name: string): string[] => [path.join(project, name)];
  const register = (input: Partial<RegisterInput> & { model: string; paths: string[] }): Promise<unknown> => registry.register({ git: { commit: 'c0ffee', branch: 'main' }, ...input });
  await register({ model: 'fraud-detector', paths: file('a.onnx'), metrics: { accuracy: 0.91 }, params: { lr: 0.001, optimizer: 'adam' }, tags: { team: 'risk' }, data: [path.join(project, 'train.csv')], semver: '1.0.0' });
  await register({ model: 'fraud-detector', paths: file('b.onnx'), metrics: { accuracy: 0.84 }, params: { lr: 0.1 }, tags: { team: HOSTILE }, semver: '1.10.0', description: 'it\'s "quoted" /* not a comment */' });
  await register({ model: 'fraud-v2', paths: file('c.safetensors'), metrics: { accuracy: 0.95 }, stage: 'Production', data: ['s3://bucket/train.parquet'], git: { commit: 'beef', branch: 'feature/x' } });
  await register({ model: 'churn', paths: file('d.pt'), metrics: { accuracy: 0.7, latency_ms: 12 }, params: { lr: '0.01' }, stage: 'Staging' });
  await register({ model: 'churn', paths: file('e.onnx'), tags: { Team: 'Risk' } });
  await registry.setAlias('fraud-detector/2', 'champion');
  return { registry, project, dataHash: sha256Hex(readFileSync(path.join(project, 'train.csv'))) };
}

function refs(hits: { model: string; number: number }[]): string[] {
  return hits.map((hit) => `${hit.model}/${hit.number}`);
}

describe('Registry.search', () => {
  let registry: Registry;
  let dataHash: string;
  let project: string;
  before(async () => {
    ({ registry, dataHash, project } = await sampleRegistry());
  });
  after(async () => registry.close());

  const search = (query: string, options = {}): string[] => refs(registry.search(query, options));

  it('runs queries as large as the language allows, and points at the part of a larger one that is too big', () => {
    const values = (n: number, field = 'tags.team') => `${field} IN (${Array.from({ length: n }, (_, i) => `${i + 1000}`).join(', ')})`;
    const nested = (depth: number, inner: string) => `${'NOT ('.repeat(depth / 2)}${inner}${')'.repeat(depth / 2)}`;
    const limit = QUERY_LIMITS.conditions;
    // At each limit the query runs (SQLite accepts the SQL), whatever the field kind.
    for (const field of ['tags.team', 'params.optimizer', 'version', 'name', 'alias']) {
      assert.deepEqual(search(values(limit, field)), [], field);
      assert.equal(search(`NOT ${values(limit, field)}`).length, 5, field);
    }
    assert.deepEqual(search(Array.from({ length: limit }, () => "tags.team = 'risk'").join(' OR ')), ['fraud-detector/1']);
    assert.deepEqual(search(nested(QUERY_LIMITS.nesting, `${values(limit - 2, 'metrics.accuracy')} OR metrics.accuracy > 0.9 OR tags.team = 'risk'`)), ['fraud-detector/1', 'fraud-v2/1']);
    assert.deepEqual(search(`name LIKE '${'%'.repeat(QUERY_LIMITS.patternLength - 5)}fraud'`), []);
    assert.deepEqual(search(`name ILIKE '${'[*?'.repeat(QUERY_LIMITS.patternLength / 4)}%'`), []);

    const refused = (query: string): QueryError => {
      try {
        registry.search(query);
      } catch (error) {
        assert.ok(error instanceof QueryError, `expected a QueryError for a ${query.length}-character query, got ${String(error)}`);
        return error;
      }
      assert.fail('expected a refusal');
    };
    const tooMany = refused(values(999));
    assert.match(tooMany.detail, /more than 500 comparisons \(each IN value counts as one\)/);
    assert.equal(tooMany.start, values(999).indexOf(`${limit + 1000}`));
    assert.match(refused(Array.from({ length: limit + 1 }, () => 'version = 1').join(' AND ')).detail, /more than 500 comparisons/);

    const deep = `${'('.repeat(3000)}stage = None${')'.repeat(3000)}`;
    const tooDeep = refused(deep);
    assert.equal(tooDeep.start, QUERY_LIMITS.nesting);
    assert.match(tooDeep.detail, /nested more than 32 deep/);
    assert.match(refused(`${'NOT '.repeat(4000)}version = 1`).detail, /nested more than 32 deep/);
    // The caret line shows the part around the error, not thousands of characters.
    const [, line, caret] = tooDeep.message.split('\n');
    assert.ok(line.length < 200, line);
    assert.equal(line[caret.indexOf('^')], '(');

    const longPattern = `name LIKE '${'%a'.repeat(30_000 / 2 / 2)}'`;
    const tooLong = refused(longPattern);
    assert.match(tooLong.detail, /this pattern is 15000 characters long; a LIKE pattern may have at most 1000/);
    assert.equal(tooLong.column, 11);
    assert.match(refused(`name ILIKE '${'x'.repeat(QUERY_LIMITS.patternLength + 1)}'`).detail, /may have at most 1000/);
    const huge = refused(`version = 1 OR description = '${'x'.repeat(30_000)}'`);
    assert.match(huge.detail, /the query is 30031 characters long; a query may have at most 20000/);
    assert.equal(huge.column, QUERY_LIMITS.length + 1);
  });

  it('runs the example from the reference', () => {
    const query =
      "name LIKE 'fraud%' AND metrics.accuracy > 0.85 AND created_by = 'alice@example.com' AND created_at > now-30d AND (stage = 'Production' OR alias = 'champion' OR tags.team = 'risk') AND git.branch = 'main'";
    assert.deepEqual(search(query), ['fraud-detector/1']);
  });

  it('matches each field', () => {
    assert.deepEqual(search(''), ['churn/2', 'churn/1', 'fraud-detector/2', 'fraud-detector/1', 'fraud-v2/1']);
    assert.deepEqual(search('version = 2'), ['churn/2', 'fraud-detector/2']);
    assert.deepEqual(search('semver > 1.2.0'), ['fraud-detector/2']);
    assert.deepEqual(search('semver IN (1.0.0)'), ['fraud-detector/1']);
    assert.deepEqual(search('stage = staging'), ['churn/1']);
    assert.deepEqual(search('stage != None'), ['churn/1', 'fraud-v2/1']);
    assert.deepEqual(search('alias = champion'), ['fraud-detector/2']);
    assert.deepEqual(search('alias != champion AND name = fraud-detector'), ['fraud-detector/1']);
    assert.deepEqual(search('description LIKE \'%"quoted"%\''), ['fraud-detector/2']);
    assert.deepEqual(search('params.lr < 0.01'), ['fraud-detector/1']);
    assert.deepEqual(search("params.lr = '0.01'"), ['churn/1'], 'a param keeps its JSON type');
    assert.deepEqual(search('params.optimizer = adam'), ['fraud-detector/1']);
    assert.deepEqual(search('metrics.latency_ms <= 12'), ['churn/1']);
    assert.deepEqual(search('git.commit = beef'), ['fraud-v2/1']);
    assert.deepEqual(search("git.branch LIKE 'feature/%'"), ['fraud-v2/1']);
    assert.deepEqual(search(`data.sha256 = '${dataHash}'`), ['fraud-detector/1']);
    assert.deepEqual(search("data.uri LIKE 's3://%'"), ['fraud-v2/1']);
    assert.deepEqual(search('format = safetensors'), ['fraud-v2/1']);
    assert.deepEqual(search('format NOT IN (onnx)'), ['churn/1', 'fraud-v2/1']);
    assert.deepEqual(search('created_at > now+1d'), []);
    assert.deepEqual(search('created_at < now+1d AND name = churn'), ['churn/2', 'churn/1']);
  });

  it('keeps LIKE case-sensitive and ILIKE not; tag keys are exact', () => {
    assert.deepEqual(search("tags.Team LIKE 'R%'"), ['churn/2']);
    assert.deepEqual(search("tags.Team LIKE 'r%'"), []);
    assert.deepEqual(search("tags.team ILIKE 'R%'"), ['fraud-detector/2', 'fraud-detector/1']);
  });

  it('treats a missing value as different: != and NOT agree', () => {
    assert.deepEqual(search("tags.team != 'risk'"), search("NOT tags.team = 'risk'"));
    assert.deepEqual(search("tags.team != 'risk'"), ['churn/2', 'churn/1', 'fraud-detector/2', 'fraud-v2/1']);
    assert.deepEqual(search('NOT metrics.accuracy > 0.8'), ['churn/2', 'churn/1']);
  });

  it('orders by a field, missing values last, and limits', () => {
    const hits = registry.search('', { orderBy: 'metrics.accuracy DESC', limit: 4 });
    assert.deepEqual(refs(hits), ['fraud-v2/1', 'fraud-detector/1', 'fraud-detector/2', 'churn/1']);
    assert.deepEqual(hits.map((hit) => hit.orderValue), [0.95, 0.91, 0.84, 0.7]);
    assert.deepEqual(search('', { orderBy: 'semver desc' }).slice(0, 2), ['fraud-detector/2', 'fraud-detector/1'], '1.10.0 after 1.0.0, not before as text');
    assert.deepEqual(search('name = churn', { orderBy: 'metrics.accuracy' }), ['churn/1', 'churn/2']);
  });

  it('answers "which data trained each model now in Production" in one query', () => {
    const hits = registry.search("stage = 'Production'");
    assert.deepEqual(hits.map((hit) => [hit.model, hit.data]), [['fraud-v2', [{ uri: 's3://bucket/train.parquet', sha256: null }]]]);
  });

  it('treats injection attempts as plain values and leaves the database as it was', async () => {
    const before = { versions: search(''), log: registry.log().length, models: registry.models() };
    // Each finds exactly what its text literally says, or nothing.
    assert.deepEqual(search(`tags.team = '${HOSTILE.replace(/'/g, "''")}'`), ['fraud-detector/2']);
    assert.deepEqual(search(`tags.team = "${HOSTILE}"`), ['fraud-detector/2']);
    const attempts = [
      "name = 'x' OR '1'='1'",
      "name = 'x''; DROP TABLE models; --'",
      "name = \"x\" OR 1=1 --\"",
      `tags."team') OR 1=1; DROP TABLE models; --" = 'risk'`,
      "description = '*/ OR 1=1 /*'",
      "name IN ('a'); DELETE FROM model_versions; --')",
      "metrics.accuracy > 0 UNION SELECT 1",
      "name = churn; DROP TABLE models",
      "name = churn -- AND stage = Production",
      'name/**/= churn',
      "params.\"lr') IS NOT NULL --\" = 1",
    ];
    for (const query of attempts) {
      try {
        assert.deepEqual(search(query), [], query);
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'INVALID_INPUT', `${query}: ${String(error)}`);
      }
    }
    assert.throws(() => registry.search('', { orderBy: 'name; DROP TABLE models' }), /cannot order by/);
    assert.deepEqual({ versions: search(''), log: registry.log().length, models: registry.models() }, before);
    const reopened = await Registry.open({ folder: path.join(project, '.modelregistry') });
    try {
      assert.deepEqual(refs(reopened.search('')), before.versions);
      assert.deepEqual(refs(reopened.search('metrics.accuracy > 0')), ['churn/1', 'fraud-detector/2', 'fraud-detector/1', 'fraud-v2/1']);
    } finally {
      await reopened.close();
    }
  });

  it('validates and completes with what the registry holds', () => {
    assert.equal(registry.validateQuery('metrics.accuracy > 0.9'), undefined);
    const error = registry.validateQuery('metrics.acuracy_ms > 1 AND metrics.latency_mz < 3');
    assert.equal(error, undefined, 'unknown keys are not errors');
    assert.match(registry.validateQuery('metric.latency_ms > 1')!.detail, /did you mean 'metrics.latency_ms'/);
    const completion = registry.completeQuery('name = ', 7);
    assert.deepEqual(completion.items.map((item) => item.label), ['churn', 'fraud-detector', 'fraud-v2']);
    assert.ok(registry.completeQuery('tags.', 5).items.some((item) => item.label === 'tags.Team'));
  });

  it('suggests keys registered after the last validation or completion', async () => {
    assert.doesNotMatch(registry.validateQuery('metrics_throughput_qps > 1')!.detail, /did you mean/);
    writeFiles(project, { 'f.onnx': 'f weights' });
    await registry.register({ model: 'churn', paths: [path.join(project, 'f.onnx')], metrics: { throughput_qps: 900 }, git: null });
    assert.match(registry.validateQuery('metrics_throughput_qps > 1')!.detail, /did you mean 'metrics.throughput_qps'/);
    assert.ok(registry.completeQuery('metrics.th', 10).items.some((item) => item.label === 'metrics.throughput_qps'));
  });
});
