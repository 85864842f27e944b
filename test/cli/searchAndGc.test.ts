import assert from 'node:assert/strict';
import { json, mreg } from '../support/mregProcess';
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
