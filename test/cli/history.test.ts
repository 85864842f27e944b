import assert from 'node:assert/strict';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface Outcome {
  current: { number: number; stage: string };
  target: { number: number; stage: string };
}

describe('mreg rollback and history', () => {
  it('returns Production one step back per rollback, with the reason in the audit log, and says when it cannot', () => {
    const cwd = writeFiles(tempFolder('history'), { 'model.onnx': 'weights' });
    for (const lr of ['1', '2', '3']) assert.equal(mreg(['register', 'm', 'model.onnx', '--param', `lr=${lr}`], { cwd }).status, 0);

    const nothing = mreg(['rollback', 'm', '--reason', 'x'], { cwd });
    assert.equal(nothing.status, 1);
    assert.match(nothing.stderr, /m has no version in Production/);
    assert.notEqual(mreg(['rollback', 'm'], { cwd }).status, 0, '--reason is required');

    assert.equal(mreg(['promote', 'm/1', 'production'], { cwd }).status, 0);
    assert.match(mreg(['rollback', 'm', '--reason', 'x'], { cwd }).stderr, /first version of m ever in Production/);
    assert.equal(mreg(['promote', 'm/2', 'production'], { cwd }).status, 0);
    assert.equal(mreg(['promote', 'm/3', 'production'], { cwd }).status, 0);

    const first = json<Outcome>(mreg(['rollback', 'm', '--reason', 'latency regression', '--json'], { cwd }));
    assert.deepEqual([first.current.number, first.current.stage, first.target.number, first.target.stage], [3, 'Archived', 2, 'Production']);
    const second = json<Outcome>(mreg(['rollback', 'm', '--reason', 'still slow', '--json'], { cwd }));
    assert.deepEqual([second.current.number, second.target.number], [2, 1]);
    const stages = json<{ number: number; stage: string }[]>(mreg(['versions', 'm', '--json'], { cwd }));
    assert.deepEqual(stages.map((version) => [version.number, version.stage]), [[3, 'Archived'], [2, 'Archived'], [1, 'Production']]);

    const log = json<{ type: string; version: number; reason: string | null }[]>(mreg(['log', 'm', '--limit', '2', '--json'], { cwd }));
    assert.deepEqual(log.map((event) => [event.version, event.reason]), [[1, 'rollback from m/2: still slow'], [2, 'rollback from m/2: still slow']]);

    const text = mreg(['history', 'm', '--stage', 'production'], { cwd }).stdout;
    assert.match(text, /m\/3 +Production → Archived +\[rollback\] rollback from m\/3: latency regression/);
  });

  it('says which version was in Production at a given time', () => {
    const cwd = writeFiles(tempFolder('history'), { 'model.onnx': 'weights' });
    for (const lr of ['1', '2']) assert.equal(mreg(['register', 'm', 'model.onnx', '--param', `lr=${lr}`], { cwd }).status, 0);
    assert.equal(mreg(['promote', 'm/1', 'production'], { cwd }).status, 0);
    const between = new Date().toISOString();
    assert.equal(mreg(['promote', 'm/2', 'production'], { cwd }).status, 0);

    type History = { changes: { version: number; to: string }[]; asOf: { versions: number[] } };
    assert.deepEqual(json<History>(mreg(['history', 'm', '--as-of', between, '--json'], { cwd })).asOf.versions, [1]);
    assert.deepEqual(json<History>(mreg(['history', 'm', '--as-of', '2999-01-01', '--json'], { cwd })).asOf.versions, [2]);
    assert.deepEqual(json<History>(mreg(['history', 'm', '--as-of', '2000-01-01', '--json'], { cwd })).asOf.versions, []);
    assert.match(mreg(['history', 'm', '--as-of', '2000-01-01'], { cwd }).stdout, /^Production at 2000-01-01T23:59:59.999Z: no version/);
    const bad = mreg(['history', 'm', '--as-of', 'last tuesday'], { cwd });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /'last tuesday' is not a date/);
  });
});
