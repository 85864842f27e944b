import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sealEvents, type EventDraft, type RegistryEvent } from '../../src/core/events';
import { sha256Hex } from '../../src/core/sha256';
import { batchKey, encodeBatch, type LogBatch, type RemoteHead } from '../../src/sync/logBatch';
import { json, mreg } from '../support/mregProcess';
import { makeClient, ok, registryContents } from '../support/syncClients';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();

/** Guards Staging with a threshold; Production's rule lets a person override it. */
const POLICY = `rules:
  - models: m
    stages: Staging
    thresholds: ["accuracy >= 0.95"]
  - models: m
    stages: Production
    thresholds: ["accuracy >= 0.99"]
    allowOverride: true
`;

/**
 * A store written by a writer (m/1 in Production, m/2 in None) that a reader synced, then one more
 * intact batch (m/3) the reader has not pulled yet. Both clients hold the same policy.
 */
function teamWithReaderBehind(name: string): { store: string; writer: string; reader: string } {
  const root = tempFolder(name);
  const store = path.join(root, 'store');
  const writer = makeClient(root, 'writer', store);
  const reader = makeClient(root, 'reader', store);
  for (const cwd of [writer, reader]) writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), POLICY);
  const register = (accuracy: string) => {
    writeFileSync(path.join(writer, 'w.bin'), `weights ${accuracy}`);
    ok(mreg(['register', 'm', 'w.bin', '--metric', `accuracy=${accuracy}`], { cwd: writer }), 'register');
  };
  register('0.9');
  register('0.91');
  ok(mreg(['promote', 'm/1', 'production', '--override', '--reason', 'first release'], { cwd: writer }), 'promote m/1');
  ok(mreg(['sync'], { cwd: writer }), 'writer sync');
  ok(mreg(['sync'], { cwd: reader }), 'reader sync');
  register('0.92');
  ok(mreg(['sync'], { cwd: writer }), 'writer sync of m/3');
  return { store, writer, reader };
}

/** The head of the shared log in a folder store, read as any client reads it. */
function headOf(store: string): RemoteHead {
  const keys = readdirSync(path.join(store, 'log')).sort();
  const bytes = readFileSync(path.join(store, 'log', keys[keys.length - 1]));
  const batch = JSON.parse(bytes.toString('utf8')) as LogBatch;
  const last = batch.events[batch.events.length - 1];
  return { seq: batch.seq, hash: sha256Hex(bytes), event: { seq: last.seq, hash: last.hash } };
}

/**
 * Appends a batch as someone with write access to the store could: well chained and correctly
 * hashed, sealed with the project's own helpers; only its content breaks the rules.
 */
function appendForgedBatch(store: string, drafts: unknown[], edit: (events: RegistryEvent[]) => void = () => undefined): number {
  const head = headOf(store);
  const events = sealEvents(drafts as EventDraft[], head.event, 'mallory');
  edit(events);
  const { bytes, head: next } = encodeBatch(head, events);
  writeFileSync(path.join(store, ...batchKey(next.seq).split('/')), bytes, { flag: 'wx' });
  return next.seq;
}

/** The reader refuses the forged batch on every sync, having applied the intact one before it. */
function assertRefused(store: string, reader: string, forged: number, why: RegExp): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    const sync = mreg(['sync'], { cwd: reader });
    assert.equal(sync.status, 1, `the forged batch is refused: ${sync.stdout}`);
    assert.match(sync.stderr, new RegExp(`Batch ${forged} of the shared log .* breaks the registry's rules: .*${why.source}`, 's'));
    assert.doesNotMatch(sync.stderr, /unexpected error/);
  }
  assert.deepEqual(
    registryContents(reader).m?.map((version) => version.number),
    [1, 2, 3],
    'the intact batch before the forged one is applied',
  );
  const status = json<{ state: string; remoteSeq: number; lastError: { message: string } }>(ok(mreg(['status', '--json'], { cwd: reader }), 'status'));
  assert.equal(status.state, 'error', 'a refused batch is a sync error, not offline');
  assert.equal(status.remoteSeq, forged - 1);
  const shown = json<{ stage: string }>(ok(mreg(['show', 'm/1', '--json'], { cwd: reader }), 'show m/1'));
  assert.equal(shown.stage, 'Production', 'nothing of the forged batch reached the registry');

  const verify = mreg(['verify', '--store', '--json'], { cwd: reader });
  assert.equal(verify.status, 1);
  const report = json<{ problems: { kind: string; key: string; message: string }[] }>(verify);
  assert.deepEqual(
    report.problems.map((problem) => [problem.kind, problem.key]),
    [['batch', batchKey(forged)]],
  );
  assert.match(report.problems[0].message, why);
  void store;
}

describe('mreg sync checks every pulled event with the rules of a local write', function () {
  // Each case runs a dozen mreg processes (a team, a forger, a reader): a limit for a loaded 2-core machine, not a speed target.
  this.timeout(300_000);
  it('refuses a batch that puts a second version of a model into Production', () => {
    const { store, reader } = teamWithReaderBehind('forged-two-production');
    const forged = appendForgedBatch(store, [{ type: 'version.stage_changed', model: 'm', version: 2, payload: { from: 'None', to: 'Production', gates: { passed: true, results: [{ kind: 'threshold', rule: 'accuracy >= 0.99', passed: true, detail: 'forged' }], approvalRequests: [] } } }]);
    assertRefused(store, reader, forged, /m\/1 is still there: a model has one Production version/);
  });

  it('refuses a promotion into a guarded stage that carries no gate evaluation, or a failing one without an allowed override', () => {
    const { store, reader } = teamWithReaderBehind('forged-ungated');
    const forged = appendForgedBatch(store, [{ type: 'version.stage_changed', model: 'm', version: 2, payload: { from: 'None', to: 'Staging' } }]);
    assertRefused(store, reader, forged, /guards Staging for m, and the move of m\/2 carries no gate evaluation/);

    const other = teamWithReaderBehind('forged-override');
    const overridden = appendForgedBatch(other.store, [
      {
        type: 'version.stage_changed',
        model: 'm',
        version: 2,
        reason: 'trust me',
        payload: { from: 'None', to: 'Staging', gates: { passed: false, overridden: true, results: [{ kind: 'threshold', rule: 'accuracy >= 0.95', passed: false, detail: 'accuracy 0.91' }], approvalRequests: [] } },
      },
    ]);
    assertRefused(other.store, other.reader, overridden, /does not allow overriding accuracy >= 0.95/);
  });

  it('refuses an invalid stage', () => {
    const { store, reader } = teamWithReaderBehind('forged-stage');
    const forged = appendForgedBatch(store, [{ type: 'version.stage_changed', model: 'm', version: 3, payload: { from: 'None', to: 'Prod' } }]);
    assertRefused(store, reader, forged, /\/payload\/to/);
  });

  it('refuses a reserved alias, and an alias on a version that does not exist', () => {
    const { store, reader } = teamWithReaderBehind('forged-alias');
    const forged = appendForgedBatch(store, [{ type: 'version.alias_set', model: 'm', version: 3, payload: { alias: 'latest' } }]);
    assertRefused(store, reader, forged, /'latest' is reserved/);

    const other = teamWithReaderBehind('forged-alias-target');
    const missing = appendForgedBatch(other.store, [{ type: 'version.alias_set', model: 'm', version: 99, payload: { alias: 'champion' } }]);
    assertRefused(other.store, other.reader, missing, /names m\/99, which no earlier event registered/);
  });

  it('refuses an invalid model name', () => {
    const { store, reader } = teamWithReaderBehind('forged-name');
    const forged = appendForgedBatch(store, [{ type: 'model.created', model: '../Fraud Detector', payload: {} }]);
    assertRefused(store, reader, forged, /model name '..\/Fraud Detector' may use only letters/);
  });

  it('refuses a malformed event (a registration without a manifest, a number that is text) without an unexpected error', () => {
    const { store, reader } = teamWithReaderBehind('forged-malformed');
    const forged = appendForgedBatch(store, [{ type: 'version.registered', model: 'm', version: 4, payload: { id: 'x', stage: 'None', tags: {}, fingerprint: '0'.repeat(64) } }]);
    assertRefused(store, reader, forged, /\/payload\/manifest/);

    const other = teamWithReaderBehind('forged-malformed-number');
    const text = appendForgedBatch(other.store, [{ type: 'version.updated', model: 'm', version: 'two', payload: { description: 'x' } }]);
    assertRefused(other.store, other.reader, text, /\/version/);
  });

  it('accepts what clients that check the rules write: guarded promotions that pass their gates or carry an allowed override', () => {
    const { writer, reader } = teamWithReaderBehind('forged-none');
    writeFileSync(path.join(writer, 'w.bin'), 'weights 0.99');
    ok(mreg(['register', 'm', 'w.bin', '--metric', 'accuracy=0.99'], { cwd: writer }), 'register m/4');
    ok(mreg(['promote', 'm/4', 'staging'], { cwd: writer }), 'promote m/4 through its gates');
    ok(mreg(['promote', 'm/3', 'production', '--override', '--reason', 'hotfix'], { cwd: writer }), 'override into Production');
    ok(mreg(['alias', 'm/3', 'champion'], { cwd: writer }), 'alias');
    ok(mreg(['sync'], { cwd: writer }), 'writer sync');
    ok(mreg(['sync'], { cwd: reader }), 'reader sync');
    const stages = Object.fromEntries(json<{ number: number; stage: string }[]>(ok(mreg(['versions', 'm', '--json'], { cwd: reader }), 'versions')).map((v) => [v.number, v.stage]));
    assert.deepEqual(stages, { 1: 'Archived', 2: 'None', 3: 'Production', 4: 'Staging' });
    assert.deepEqual(json<{ problems: unknown[] }>(ok(mreg(['verify', '--store', '--json'], { cwd: reader }), 'verify --store')).problems, []);
  });
});
