import assert from 'node:assert/strict';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

/** Names that are properties of every plain JavaScript object. */
const HOSTILE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

function run(cwd: string, args: string[]): ReturnType<typeof mreg> {
  const result = mreg(args, { cwd });
  assert.equal(result.status, 0, `mreg ${args.join(' ')}: ${result.stderr}`);
  return result;
}

interface Shown {
  tags: Record<string, string>;
  manifest: { metrics: Record<string, { value: number; direction?: string }>; lineage: { params: Record<string, unknown> } };
}

describe('metric, param and tag names that are also JavaScript property names', () => {
  it('round-trip through register, show, search and diff', () => {
    const cwd = writeFiles(tempFolder('cli-names'), { 'a.bin': 'first weights', 'b.bin': 'second weights' });
    const flags = (offset: number) =>
      HOSTILE_NAMES.flatMap((name, index) => ['--metric', `${name}=${index + offset}`, '--param', `${name}=p${index + offset}`, '--tag', `${name}=t${index + offset}`]);
    run(cwd, ['register', 'm', 'a.bin', ...flags(1), '--metric-direction', 'constructor=max', '--metric-direction', '__proto__=min']);
    run(cwd, ['register', 'm', 'b.bin', ...flags(2), '--metric-direction', 'constructor=max', '--metric-direction', '__proto__=min']);

    const shown = json<Shown>(run(cwd, ['show', 'm/1', '--json']));
    assert.deepEqual(Object.keys(shown.manifest.metrics).sort(), [...HOSTILE_NAMES].sort());
    HOSTILE_NAMES.forEach((name, index) => {
      assert.equal(Object.getOwnPropertyDescriptor(shown.manifest.metrics, name)?.value.value, index + 1, `metric ${name}`);
      assert.equal(Object.getOwnPropertyDescriptor(shown.manifest.lineage.params, name)?.value, `p${index + 1}`, `param ${name}`);
      assert.equal(Object.getOwnPropertyDescriptor(shown.tags, name)?.value, `t${index + 1}`, `tag ${name}`);
    });
    assert.equal(Object.getOwnPropertyDescriptor(shown.manifest.metrics, 'constructor')?.value.direction, 'max');
    assert.equal(Object.getOwnPropertyDescriptor(shown.manifest.metrics, '__proto__')?.value.direction, 'min');
    assert.equal(Object.getOwnPropertyDescriptor(shown.manifest.metrics, 'toString')?.value.direction, undefined);

    for (const name of HOSTILE_NAMES) {
      const hits = json<{ number: number }[]>(run(cwd, ['search', `metrics.${name} > 1.5 and tags.${name} = "t${HOSTILE_NAMES.indexOf(name) + 2}"`, '--json']));
      assert.deepEqual(hits.map((hit) => hit.number), [2], `search by ${name}`);
      assert.deepEqual(json<{ number: number }[]>(run(cwd, ['search', `params.${name} = "p${HOSTILE_NAMES.indexOf(name) + 1}"`, '--json'])).map((hit) => hit.number), [1]);
    }

    const diff = json<{ metrics: { name: string; before: number; after: number; verdict: string }[]; params: { name: string; status: string }[] }>(run(cwd, ['diff', 'm/1', 'm/2', '--json']));
    assert.deepEqual(
      diff.metrics.map((metric) => [metric.name, metric.before, metric.after]).sort(),
      HOSTILE_NAMES.map((name, index) => [name, index + 1, index + 2]).sort(),
    );
    assert.equal(diff.metrics.find((metric) => metric.name === 'constructor')?.verdict, 'better');
    assert.equal(diff.metrics.find((metric) => metric.name === '__proto__')?.verdict, 'worse');
    assert.deepEqual(diff.params.map((param) => [param.name, param.status]).sort(), HOSTILE_NAMES.map((name) => [name, 'changed']).sort());
    assert.match(run(cwd, ['diff', 'm/1', 'm/2']).stdout, /__proto__/);
  });

  it('refuses a direction for a metric that has no value, even one named like a built-in property', () => {
    const cwd = writeFiles(tempFolder('cli-names'), { 'a.bin': 'weights' });
    for (const name of ['toString', 'constructor']) {
      const refused = mreg(['register', 'm', 'a.bin', '--metric', 'auc=1', '--metric-direction', `${name}=max`], { cwd });
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, new RegExp(`A direction is given for metric '${name}', but no value`));
    }
  });
});
