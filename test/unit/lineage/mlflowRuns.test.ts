import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { latestMetricValue } from '../../../src/lineage/mlflowRuns';
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
