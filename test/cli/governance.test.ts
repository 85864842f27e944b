import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

const ALICE = { MREG_ACTOR: 'alice@example.com' };
const BOB = { MREG_ACTOR: 'bob@example.com' };
const CAROL = { MREG_ACTOR: 'carol@example.com' };

interface Evaluation {
  passed: boolean;
  results: { kind: string; rule: string; passed: boolean; detail: string }[];
}
interface Request {
  id: string;
  status: string;
  approvals: { actor: string }[];
  needed: number;
}

/** A project with fraud/1 in Production (auc 0.90) and fraud/2 registered (auc `auc`) by alice. */
function project(policy: string, auc: string): string {
  const cwd = writeFiles(tempFolder('governance'), { 'model.onnx': 'weights' });
  assert.equal(mreg(['register', 'fraud', 'model.onnx', '--metric', 'auc=0.90', '--metric-direction', 'auc=max', '--stage', 'production'], { cwd, env: ALICE }).status, 0);
  assert.equal(mreg(['register', 'fraud', 'model.onnx', '--metric', `auc=${auc}`, '--metric-direction', 'auc=max', '--data', 's3://bucket/train'], { cwd, env: ALICE }).status, 0);
  writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), policy);
  return cwd;
}

const stageOf = (cwd: string, ref: string) => json<{ stage: string }>(mreg(['show', ref, '--json'], { cwd })).stage;

describe('mreg promotion gates and approvals', () => {
  it('prints each rule with its numbers, exits 3 and changes nothing when a gate fails', () => {
    const cwd = project(
      ['rules:', '  - models: "fraud*"', '    stages: Production', '    thresholds: ["auc >= 0.85"]', '    noRegression: [{metric: auc, tolerance: 0.01}]', '    lineage: {dataLineage: true, environment: true}'].join('\n'),
      '0.87',
    );
    const logBefore = mreg(['log', '--json'], { cwd }).stdout;
    const refused = mreg(['promote', 'fraud/2', 'production'], { cwd, env: ALICE });
    assert.equal(refused.status, 3, refused.stderr);
    assert.match(refused.stdout, /PASS {4}auc >= 0\.85 +auc 0\.87 \(needs >= 0\.85\)/);
    assert.match(refused.stdout, /FAIL {4}no regression in auc \(tolerance 0\.01\) vs Production +auc 0\.87 vs 0\.9 in Production \(fraud\/1\), higher is better, change -0\.03, tolerance 0\.01/);
    assert.match(refused.stdout, /PASS {4}data lineage recorded +1 data entry: s3:\/\/bucket\/train/);
    assert.match(refused.stdout, /PASS {4}environment captured +recorded: /);
    assert.match(refused.stderr, /^mreg: fraud\/2 may not move to Production: 1 of 4 policy rule\(s\) failed .*Nothing was changed\.\n$/);
    assert.equal(mreg(['log', '--json'], { cwd }).stdout, logBefore);
    assert.equal(stageOf(cwd, 'fraud/2'), 'None');

    const asJson = json<Evaluation>(mreg(['promote', 'fraud/2', 'production', '--json'], { cwd }));
    assert.deepEqual(asJson.results.map((r) => [r.kind, r.passed]), [['threshold', true], ['noRegression', false], ['dataLineage', true], ['environment', true]]);

    const override = mreg(['promote', 'fraud/2', 'production', '--override', '--reason', 'hotfix'], { cwd });
    assert.equal(override.status, 3, 'the policy does not allow overrides here');
    assert.match(override.stderr, /does not allow overriding/);
    assert.equal(stageOf(cwd, 'fraud/2'), 'None');

    assert.equal(mreg(['promote', 'fraud/2', 'staging'], { cwd }).status, 0, 'rules guard only the stages they name');
    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), 'rules:\n  - models: fraud\n    stages: Prod\n');
    const bad = mreg(['promote', 'fraud/2', 'production'], { cwd });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /policy\.yaml is not a valid policy \(\/rules\/0\/stages/);
  });

  it('overrides failing gates only where the policy allows, with a reason, logged as an override', () => {
    const cwd = project(['rules:', '  - models: fraud', '    stages: Production', '    thresholds: ["auc >= 0.95"]', '    allowOverride: true'].join('\n'), '0.91');
    assert.equal(mreg(['promote', 'fraud/2', 'production', '--override'], { cwd }).status, 1, 'an override needs a reason');
    const done = mreg(['promote', 'fraud/2', 'production', '--override', '--reason', 'customer escalation'], { cwd, env: BOB });
    assert.equal(done.status, 0, done.stderr);
    assert.match(done.stdout, /FAIL {4}auc >= 0\.95 +auc 0\.91 \(needs >= 0\.95\)\nOverridden: Promoted fraud\/2 \(Production\)/);
    const [promotion] = json<{ actor: string; reason: string; details: { gates: { passed: boolean; overridden: boolean } } }[]>(mreg(['log', 'fraud', '--limit', '1', '--json'], { cwd }));
    assert.deepEqual([promotion.actor, promotion.reason, promotion.details.gates.passed, promotion.details.gates.overridden], ['bob@example.com', 'customer escalation', false, true]);
  });

  it('requests, approves and rejects; the registrant cannot approve; approvals open the gate', () => {
    const cwd = project(['rules:', '  - models: fraud', '    stages: [Staging, Production]', '    approvals: 2'].join('\n'), '0.95');
    const blocked = mreg(['promote', 'fraud/2', 'production'], { cwd, env: ALICE });
    assert.equal(blocked.status, 3);
    assert.match(blocked.stdout, /FAIL {4}2 approval\(s\) by others than the registrant +0 of 2 \(none yet; no open request: mreg request fraud\/2 Production\)/);

    const request = json<Request>(mreg(['request', 'fraud/2', 'production', '--reason', 'better auc', '--json'], { cwd, env: ALICE }));
    assert.deepEqual([request.status, request.needed], ['pending', 2]);
    assert.match(mreg(['request', 'fraud/2', 'production'], { cwd, env: ALICE }).stderr, new RegExp(`Request ${request.id} already asks`));

    const own = mreg(['approve', request.id], { cwd, env: ALICE });
    assert.equal(own.status, 1);
    assert.match(own.stderr, /alice@example\.com registered fraud\/2 and so cannot approve it/);
    assert.equal(mreg(['approve', request.id, '--reason', 'looks good'], { cwd, env: BOB }).status, 0);
    assert.match(mreg(['approve', request.id], { cwd, env: BOB }).stderr, /already reviewed/);
    assert.deepEqual(json<Request[]>(mreg(['requests', '--pending', '--json'], { cwd })).map((r) => [r.id, r.approvals.length]), [[request.id, 1]]);
    assert.equal(mreg(['promote', 'fraud/2', 'production'], { cwd, env: ALICE }).status, 3);

    // The last approval needed carries out the move, gates evaluated, as Approve does in VS Code.
    const promoted = mreg(['approve', request.id], { cwd, env: CAROL });
    assert.equal(promoted.status, 0, promoted.stderr);
    assert.match(promoted.stdout, /PASS {4}2 approval\(s\) by others than the registrant +2 of 2 \(bob@example\.com, carol@example\.com; request /);
    assert.match(promoted.stdout, /Promoted fraud\/2 \(Production\)/);
    assert.equal(stageOf(cwd, 'fraud/2'), 'Production');
    assert.deepEqual(json<Request[]>(mreg(['requests', '--pending', '--json'], { cwd })), []);
    assert.match(mreg(['requests'], { cwd }).stdout, new RegExp(`${request.id} +fraud/2 +Production +completed +2/2 \\(bob@example\\.com, carol@example\\.com\\)`));
    const [promotion] = json<{ type: string; actor: string; reason: string }[]>(mreg(['log', 'fraud', '--limit', '2', '--json'], { cwd })).filter((event) => event.type === 'version.stage_changed');
    assert.deepEqual([promotion.actor, promotion.reason], ['carol@example.com', `approved request ${request.id}`]);

    const staging = json<Request>(mreg(['request', 'fraud/1', 'staging', '--json'], { cwd, env: BOB }));
    assert.equal(mreg(['reject', staging.id], { cwd, env: CAROL }).status, 2, '--reason is required');
    assert.equal(mreg(['reject', staging.id, '--reason', 'archived for a reason'], { cwd, env: CAROL }).status, 0);
    assert.match(mreg(['approve', staging.id], { cwd, env: BOB }).stderr, /is rejected; file a new one/);
    assert.match(mreg(['approve', 'nope'], { cwd, env: BOB }).stderr, /No approval request 'nope'/);

    const types = json<{ type: string }[]>(mreg(['log', '--json'], { cwd })).map((event) => event.type);
    for (const type of ['approval.requested', 'approval.approved', 'approval.rejected']) assert.ok(types.includes(type), type);

    // The op log alone rebuilds requests and gate records.
    rmSync(path.join(cwd, '.modelregistry', 'snapshots'), { recursive: true, force: true });
    assert.deepEqual(json<Request[]>(mreg(['requests', '--json'], { cwd })).map((r) => r.status), ['completed', 'rejected']);
    assert.equal(mreg(['verify'], { cwd }).status, 0);
  });

  it('records the last approval but keeps the version out, exit 3, while another gate fails; approving again retries', () => {
    const cwd = project(['rules:', '  - models: fraud', '    stages: Production', '    approvals: 1', '    thresholds: ["auc >= 0.95"]'].join('\n'), '0.91');
    const request = json<Request>(mreg(['request', 'fraud/2', 'production', '--json'], { cwd, env: ALICE }));
    const held = mreg(['approve', request.id, '--reason', 'fine by me'], { cwd, env: BOB });
    assert.equal(held.status, 3, held.stderr);
    assert.match(held.stdout, /FAIL {4}auc >= 0\.95 +auc 0\.91 \(needs >= 0\.95\)/);
    assert.match(held.stdout, /fraud\/2 has its approvals but other rules keep it out of Production; once they pass: mreg promote fraud\/2 Production/);
    assert.match(held.stderr, /^mreg: approval recorded; fraud\/2 stays out of Production: 1 other rule\(s\) failed\n$/);
    assert.equal(stageOf(cwd, 'fraud/2'), 'None');
    assert.equal(json<Request[]>(mreg(['requests', '--json'], { cwd }))[0].status, 'approved');

    writeFileSync(path.join(cwd, '.modelregistry', 'policy.yaml'), ['rules:', '  - models: fraud', '    stages: Production', '    approvals: 1'].join('\n'));
    const retried = mreg(['approve', request.id], { cwd, env: CAROL });
    assert.equal(retried.status, 0, retried.stderr);
    assert.equal(stageOf(cwd, 'fraud/2'), 'Production');
    assert.equal(json<Request[]>(mreg(['requests', '--json'], { cwd }))[0].status, 'completed');
  });

  it('refuses registering straight into a guarded stage before hashing anything', () => {
    const cwd = project(['rules:', '  - models: fraud', '    stages: Production', '    approvals: 1'].join('\n'), '0.95');
    const result = mreg(['register', 'fraud', 'model.onnx', '--param', 'x=1', '--stage', 'production'], { cwd });
    assert.equal(result.status, 3);
    assert.match(result.stderr, /The policy guards moving fraud into Production/);
  });
});
