import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, mreg } from '../support/mregProcess';
import { makeClient, ok } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface VersionJson {
  number: number;
  description: string | null;
  tags: Record<string, string>;
  fingerprint: string;
  stage: string;
}

/** A project with model m at versions 1..count, each from its own weights file. */
function projectWith(count: number, cwd = tempFolder('cli')): string {
  for (let number = 1; number <= count; number++) {
    writeFileSync(path.join(cwd, 'weights.bin'), `weights ${number}\n`);
    ok(mreg(['register', 'm', 'weights.bin', '--tag', 'owner=ml'], { cwd }), `register m/${number}`);
  }
  return cwd;
}

describe('mreg describe and tag', () => {
  it('describes a version without making a new one: the fingerprint stays, the log has the edit', () => {
    const cwd = projectWith(1);
    const before = json<VersionJson>(mreg(['show', 'm/1', '--json'], { cwd }));
    const described = ok(mreg(['describe', 'm/1', 'Gradient-boosted, trained on Q3', '--reason', 'for reviewers'], { cwd }), 'describe');
    assert.equal(described.stdout.trim(), 'Described m/1');
    const after = json<VersionJson>(mreg(['show', 'm/1', '--json'], { cwd }));
    assert.deepEqual([after.description, after.fingerprint, after.number], ['Gradient-boosted, trained on Q3', before.fingerprint, 1]);
    const [event] = json<{ type: string; reason: string; details: unknown }[]>(mreg(['log', 'm', '--json'], { cwd }));
    assert.deepEqual([event!.type, event!.reason, event!.details], ['version.updated', 'for reviewers', { description: 'Gradient-boosted, trained on Q3' }]);
    ok(mreg(['describe', 'm/1', '--clear'], { cwd }), 'clear');
    assert.equal(json<VersionJson>(mreg(['show', 'm/1', '--json'], { cwd })).description, null);
  });

  it('describes the model itself when given a bare name', () => {
    const cwd = projectWith(1);
    assert.equal(ok(mreg(['describe', 'm', 'Scores card payments'], { cwd }), 'describe').stdout.trim(), 'Described model m');
    const [model] = json<{ name: string; description: string }[]>(mreg(['models', '--json'], { cwd }));
    assert.equal(model!.description, 'Scores card payments');
    assert.equal(json<VersionJson>(mreg(['show', 'm/1', '--json'], { cwd })).description, null);
  });

  it('sets and removes tags in one event', () => {
    const cwd = projectWith(1);
    const result = ok(mreg(['tag', 'm/1', 'team=risk', 'reviewed=yes', '--remove', 'owner'], { cwd }), 'tag');
    assert.equal(result.stdout.trim(), 'Tagged m/1: team=risk reviewed=yes -owner');
    assert.deepEqual(json<VersionJson>(mreg(['show', 'm/1', '--json'], { cwd })).tags, { reviewed: 'yes', team: 'risk' });
    const [event] = json<{ type: string; details: unknown }[]>(mreg(['log', 'm', '--json'], { cwd }));
    assert.deepEqual([event!.type, event!.details], ['version.updated', { tags: { team: 'risk', reviewed: 'yes', owner: null } }]);
  });

  it('says what is wrong with the arguments (exit 2)', () => {
    const cwd = projectWith(1);
    for (const [args, message] of [
      [['describe', 'm/1'], /give the new description, or --clear/],
      [['describe', 'm/1', 'text', '--clear'], /give the new description, or --clear to remove it \(not both\)/],
      [['tag', 'm/1'], /give key=value tags to set, or --remove <key>/],
      [['tag', 'm/1', 'novalue'], /--tag takes key=value, got 'novalue'/],
      [['tag', 'm/1', 'a=1', '--remove', 'a'], /'a' is both set and removed/],
    ] as const) {
      const result = mreg([...args], { cwd });
      assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, message);
    }
    const badKey = mreg(['tag', 'm/1', 'bad\tkey=1'], { cwd });
    assert.equal(badKey.status, 1);
    assert.match(badKey.stderr, /^mreg: Invalid tag name 'bad\tkey': use 1–250 printable characters without '='\./);
  });
});

describe('mreg delete and delete-model', () => {
  it('deletes a version with a reason; show then says who, when and why; the number is not given again', () => {
    const cwd = projectWith(2);
    ok(mreg(['alias', 'm/1', 'champion'], { cwd }), 'alias');
    const deleted = ok(mreg(['delete', 'm/1', '--reason', 'trained on leaked labels'], { cwd }), 'delete');
    assert.match(deleted.stdout, /^Deleted m\/1 \(None; aliases champion\)\. The artifacts stay until mreg gc removes unreferenced blobs after the grace period\.$/m);
    assert.deepEqual(json<VersionJson[]>(mreg(['versions', 'm', '--json'], { cwd })).map((version) => version.number), [2]);
    const show = mreg(['show', 'm/1'], { cwd });
    assert.equal(show.status, 1);
    assert.match(show.stderr, /^mreg: m\/1 was deleted on \d{4}-\d\d-\d\dT\S+Z by \S+: trained on leaked labels; its history remains in: mreg log m$/m);
    writeFileSync(path.join(cwd, 'weights.bin'), 'weights 3\n');
    assert.equal(json<{ version: number }>(mreg(['register', 'm', 'weights.bin', '--json'], { cwd })).version, 3);
  });

  it('refuses without a reason, a bare model name, and a version in Production; deletes one in Staging', () => {
    const cwd = projectWith(2);
    const noReason = mreg(['delete', 'm/1'], { cwd });
    assert.equal(noReason.status, 2);
    assert.match(noReason.stderr, /required option '--reason <text>' not specified/);
    const bare = mreg(['delete', 'm', '--reason', 'x'], { cwd });
    assert.equal(bare.status, 1);
    assert.match(bare.stderr, /'m' names a model, not a version: say which version to delete \(mreg delete m\/<number>\), or delete the whole model with: mreg delete-model m/);
    ok(mreg(['promote', 'm/1', 'production'], { cwd }), 'promote');
    ok(mreg(['promote', 'm/2', 'staging'], { cwd }), 'stage');
    const production = mreg(['delete', 'm/1', '--reason', 'x'], { cwd });
    assert.equal(production.status, 1);
    assert.match(production.stderr, /m\/1 is in Production: a version that serves is never deleted/);
    ok(mreg(['delete', 'm/2', '--reason', 'failed the shadow test'], { cwd }), 'delete staging');
    assert.deepEqual(json<VersionJson[]>(mreg(['versions', 'm', '--json'], { cwd })).map((version) => [version.number, version.stage]), [[1, 'Production']]);
  });

  it("honours the policy's deletion.forbidIfEverInProduction", () => {
    const cwd = projectWith(2);
    ok(mreg(['promote', 'm/1', 'production'], { cwd }), 'promote 1');
    ok(mreg(['promote', 'm/2', 'production'], { cwd }), 'promote 2');
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'deletion:\n  forbidIfEverInProduction: true\n');
    const refused = mreg(['delete', 'm/1', '--reason', 'tidy'], { cwd });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /m\/1 was in Production once, and the policy \(deletion\.forbidIfEverInProduction in policy\.yaml\) keeps every such version/);
    assert.equal(json<VersionJson>(mreg(['show', 'm/1', '--json'], { cwd })).stage, 'Archived');
  });

  it('deletes a model with all its versions; models no longer lists it and its name stays taken', () => {
    const cwd = projectWith(2);
    const result = json<{ modelDeleted: boolean; versions: { number: number }[] }>(ok(mreg(['delete-model', 'm', '--reason', 'project cancelled', '--json'], { cwd }), 'delete-model'));
    assert.deepEqual([result.modelDeleted, result.versions.map((version) => version.number)], [true, [2, 1]]);
    assert.deepEqual(json(mreg(['models', '--json'], { cwd })), []);
    const again = mreg(['register', 'm', 'weights.bin'], { cwd });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /Model 'm' was deleted on .* project cancelled\. Its name stays with its history \(mreg log\): register under another name\./);
    const types = json<{ type: string }[]>(mreg(['log', '--json'], { cwd })).map((event) => event.type);
    assert.deepEqual(types.slice(0, 3), ['model.deleted', 'version.deleted', 'version.deleted']);
  });

  it('carries a deletion to another clone through a shared folder', () => {
    const root = tempFolder('clones');
    const store = path.join(root, 'store');
    const a = makeClient(root, 'a', store);
    const b = makeClient(root, 'b', store);
    projectWith(2, a);
    ok(mreg(['sync'], { cwd: a }), 'sync a');
    ok(mreg(['sync'], { cwd: b }), 'sync b');
    ok(mreg(['delete', 'm/1', '--reason', 'bad labels'], { cwd: a }), 'delete');
    ok(mreg(['sync'], { cwd: a }), 'sync a');
    ok(mreg(['sync'], { cwd: b }), 'sync b');
    assert.deepEqual(json<VersionJson[]>(mreg(['versions', 'm', '--json'], { cwd: b })).map((version) => version.number), [2]);
    assert.match(mreg(['show', 'm/1'], { cwd: b }).stderr, /m\/1 was deleted on .*: bad labels/);
  });
});

describe('mreg unalias', () => {
  it('removes an alias, with the reason in the log', () => {
    const cwd = projectWith(1);
    ok(mreg(['alias', 'm/1', 'champion'], { cwd }), 'alias');
    ok(mreg(['unalias', 'm', 'champion', '--reason', 'demoted'], { cwd }), 'unalias');
    assert.match(mreg(['show', 'm@champion'], { cwd }).stderr, /has no alias 'champion'/);
    const [event] = json<{ type: string; reason: string }[]>(mreg(['log', 'm', '--json'], { cwd }));
    assert.deepEqual([event!.type, event!.reason], ['version.alias_removed', 'demoted']);
  });
});
