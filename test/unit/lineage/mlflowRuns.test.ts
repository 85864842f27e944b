import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { latestMetricValue, readMlflowRunInfo } from '../../../src/lineage/mlflowRuns';
import { useTempFolders, writeFiles } from '../../support/tempFolders';
import { typedParamValue } from '../../../src/lineage/typedParams';

/**
 * A metric logged out of order, as asynchronous logging and retried batches write it: Python's
 * random (seeded) shuffles steps and timestamps, some steps repeat, and Python's own max() over
 * (step, timestamp, value), MLflow's FileStore rule, gives the truth.
 */
const OUT_OF_ORDER = String.raw`
import json, random, sys
rng = random.Random(int(sys.argv[1]))
rows = []
for i in range(1000):
    step = rng.randrange(0, 50)
    timestamp = 1700000000000 + rng.randrange(0, 10**6)
    value = round(rng.uniform(-5, 5), 6)
    rows.append((timestamp, value, step))
if rng.random() < 0.5:
    # ties on (step, timestamp): the greater value wins
    top = max(rows, key=lambda r: (r[2], r[0], r[1]))
    rows.append((top[0], top[1] + 1.5, top[2]))
text = ''.join('%d %r %d\n' % r for r in rows)
print(json.dumps({'text': text, 'latest': max(rows, key=lambda r: (r[2], r[0], r[1]))[1], 'last': rows[-1][1]}))
`;

describe("MLflow's latest metric value", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`is the greatest (step, timestamp, value) of 1000 out-of-order lines (seed ${seed})`, () => {
      const truth = JSON.parse(execFileSync('python3', ['-c', OUT_OF_ORDER, String(seed)], { encoding: 'utf8' })) as { text: string; latest: number; last: number };
      assert.equal(latestMetricValue(truth.text), truth.latest);
    });
  }

  it('reads lines without a step (older MLflow) as step 0, and nan and inf as Python does', () => {
    assert.equal(latestMetricValue('1000 0.5\n900 0.7\n'), 0.5);
    assert.equal(latestMetricValue('1000 0.5 1\n1000 inf 1\n'), Infinity);
    assert.ok(Number.isNaN(latestMetricValue('1000 nan 3\n1000 0.5 2\n')));
    // NaN never compares greater: the first of equal (step, timestamp) stays, as Python's max() keeps it.
    assert.equal(latestMetricValue('1000 0.5 3\n1000 nan 3\n'), 0.5);
  });

  it('skips malformed lines and gives nothing for an empty file', () => {
    assert.equal(latestMetricValue(''), undefined);
    assert.equal(latestMetricValue('garbage\n1000 0.25 0\n1 2 3 4\n'), 0.25);
  });
});

describe('an MLflow run of the file store', () => {
  const tempFolder = useTempFolders();

  it('reads meta.yaml as PyYAML wrote it (YAML 1.1): an id like 12345e678… stays text', () => {
    // PyYAML's safe_dump leaves this id unquoted (no float in YAML 1.1 without a dot); a YAML 1.2 reader makes a float of it.
    const id = '12345e67890123456789012345678901';
    const root = writeFiles(tempFolder('meta'), {
      [`mlruns/3/${id}/meta.yaml`]: `artifact_uri: file:///tmp/mlruns/3/${id}/artifacts\nend_time: null\nexperiment_id: '3'\nlifecycle_stage: active\nrun_id: ${id}\nrun_name: it's a 'name'\nrun_uuid: ${id}\nstart_time: 1731484585579\nstatus: 1\ntags: []\nuser_id: u\n`,
    });
    const run = readMlflowRunInfo(path.join(root, 'mlruns', '3', id));
    assert.deepEqual(
      run && { id: run.runId, experiment: run.experimentId, name: run.name, status: run.status, start: run.startTime, end: run.endTime },
      { id, experiment: '3', name: "it's a 'name'", status: 'RUNNING', start: 1731484585579, end: undefined },
    );
  });

  it('reads a meta.yaml whose value is folded over lines through the YAML parser', () => {
    const root = tempFolder('meta-folded');
    writeFileSync(path.join(root, 'meta.yaml'), "run_id: abc\nrun_name: 'a very long name that PyYAML folded\n  over two lines'\nstatus: 3\nlifecycle_stage: active\nend_time: 5\n");
    const run = readMlflowRunInfo(root);
    assert.deepEqual([run?.runId, run?.name, run?.status, run?.endTime], ['abc', 'a very long name that PyYAML folded over two lines', 'FINISHED', 5]);
  });
});

describe('typedParamValue', () => {
  it("types what Python's str() wrote for ints, floats and booleans", () => {
    const cases: [string, unknown][] = [['0.1', 0.1], ['10', 10], ['-3', -3], ['1e-05', 1e-5], ['2.5E+10', 2.5e10], ['1.0', 1], ['.5', 0.5], ['0', 0], ['True', true], ['False', false]];
    for (const [text, value] of cases) assert.equal(typedParamValue(text), value, text);
  });

  it('keeps as text what only looks numeric, and everything else', () => {
    for (const text of ['007', '0012.5', '12345678901234567890', ' 1', '1 ', 'nan', 'inf', 'None', 'true', '1,5', '0x10', '', 'adam']) {
      assert.equal(typedParamValue(text), text, JSON.stringify(text));
    }
  });
});
