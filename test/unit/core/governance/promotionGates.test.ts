import assert from 'node:assert/strict';
import path from 'node:path';
import { approvalRequestsFromEvents, type ApprovalRequest } from '../../../../src/core/governance/approvals';
import { parsePolicy, rulesFor, type GateRule } from '../../../../src/core/governance/policy';
import { evaluateGates, type GateInput } from '../../../../src/core/governance/promotionGates';
import { evaluatePromotionGates } from '../../../../src/registry/registry';
import type { Manifest } from '../../../../src/core/manifest';
import type { AuditEvent, ModelVersionDetails } from '../../../../src/core/modelVersion';
import { Registry, isRegistryError } from '../../../../src/index';
import { readFileSync } from 'node:fs';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';
import { POLICY_SCHEMA_FILE, policySchemaText } from '../../../support/writeSchemas';

const tempFolder = useTempFolders();

/** Git lineage as richer registrations record it (dirty state and changed files). */
interface ManifestParts {
  artifacts?: Manifest['artifacts'];
  metrics?: Manifest['metrics'];
  signature?: unknown;
  lineage?: Record<string, unknown>;
}

function version(number: number, manifest: ManifestParts = {}, createdBy = 'alice'): ModelVersionDetails {
  return {
    model: 'fraud',
    number,
    id: `id${number}`,
    semver: null,
    stage: 'None',
    aliases: [],
    fingerprint: 'f'.repeat(64),
    description: null,
    tags: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy,
    gitCommit: null,
    gitBranch: null,
    manifest: {
      schemaVersion: 1,
      artifacts: manifest.artifacts ?? [{ path: 'model.onnx', size: 1, sha256: 'a'.repeat(64), mediaType: 'application/onnx' }],
      lineage: { git: null, data: [], params: {}, environment: {}, ...manifest.lineage },
      metrics: manifest.metrics ?? {},
      ...(manifest.signature ? { signature: manifest.signature } : {}),
      source: { inputs: [] },
    } as Manifest,
  };
}

function request(approvers: string[]): ApprovalRequest {
  return {
    id: 'r1',
    model: 'fraud',
    version: 2,
    stage: 'Production',
    requestedBy: 'alice',
    requestedAt: '',
    reason: null,
    status: 'pending',
    approvals: approvers.map((actor) => ({ actor, time: '', reason: null })),
    rejections: [],
    needed: 2,
  };
}

function gate(rule: Omit<GateRule, 'models' | 'stages'>, input: Partial<GateInput> & { candidate: ModelVersionDetails }) {
  const evaluation = evaluateGates({ stage: 'Production', production: undefined, requests: [], ...input }, [{ models: '*', stages: 'Production', ...rule }]);
  return evaluation.results.map((result) => [result.passed, result.detail]);
}

const tensor = (name: string, shape: (number | string | null)[], elementType = 'float32') => ({ name, elementType, shape });

describe('promotion gates', () => {
  it('checks metric thresholds with each comparison, failing when the metric is missing', () => {
    const candidate = version(2, { metrics: { accuracy: { value: 0.93 }, latency_ms: { value: 50 } } });
    assert.deepEqual(gate({ thresholds: ['accuracy >= 0.9', 'latency_ms < 50', 'latency_ms <= 50', 'recall > 0.5'] }, { candidate }), [
      [true, 'accuracy 0.93 (needs >= 0.9)'],
      [false, 'latency_ms 50 (needs < 50)'],
      [true, 'latency_ms 50 (needs <= 50)'],
      [false, "the version records no metric 'recall' (needs > 0.5)"],
    ]);
  });

  it('refuses a regression beyond the tolerance, in the metric’s direction', () => {
    const production = version(1, { metrics: { accuracy: { value: 0.9, direction: 'max' }, latency_ms: { value: 40, direction: 'min' }, loss: { value: 1 } } });
    const candidate = version(2, { metrics: { accuracy: { value: 0.89 }, latency_ms: { value: 41 }, loss: { value: 1.5 } } });
    const verdicts = (tolerance: number) =>
      gate({ noRegression: [{ metric: 'accuracy', tolerance }, { metric: 'latency_ms', tolerance }] }, { candidate, production }).map(([passed]) => passed);
    assert.deepEqual(verdicts(0), [false, false]);
    assert.deepEqual(verdicts(0.01), [true, false]);
    assert.deepEqual(verdicts(1), [true, true]);
    const [[passed, detail]] = gate({ noRegression: [{ metric: 'latency_ms' }] }, { candidate: version(2, { metrics: { latency_ms: { value: 30 } } }), production });
    assert.equal(passed, true, 'lower latency is an improvement, not a regression');
    assert.match(String(detail), /30 vs 40 in Production \(fraud\/1\), lower is better, change -10/);
    assert.match(String(gate({ noRegression: [{ metric: 'loss' }] }, { candidate, production })[0][1]), /unknown: register with --metric-direction loss=max\|min/);
    assert.deepEqual(gate({ noRegression: [{ metric: 'loss', direction: 'min' }] }, { candidate, production })[0][0], false);
    assert.equal(gate({ noRegression: [{ metric: 'accuracy' }] }, { candidate })[0][0], true, 'nothing in Production: nothing to regress from');
  });

  it('compares signatures with Production: breaking fails, compatible passes, none recorded fails', () => {
    const before = { inputs: [tensor('x', [null, 3])], outputs: [tensor('y', [null, 2])] };
    const production = version(1, { signature: before });
    assert.deepEqual(gate({ signatureCompatible: true }, { candidate: version(2, { signature: { ...before, outputs: [...before.outputs, tensor('z', [1])] } }), production })[0], [true, "compatible with fraud/1: output 'z' was added"]);
    const [passed, detail] = gate({ signatureCompatible: true }, { candidate: version(2, { signature: { ...before, inputs: [tensor('x', [null, 3], 'float16')] } }), production })[0];
    assert.equal(passed, false);
    assert.match(String(detail), /input 'x' element type float32 → float16/);
    assert.match(String(gate({ signatureCompatible: true }, { candidate: version(2), production: version(1) })[0][1]), /records no signature/);
  });

  it('reads lineage from the manifest, and missing facts fail with the reason', () => {
    const rule = { lineage: { cleanGitTree: true, dataLineage: true, environment: true, noPickleFindings: true } };
    const bare = gate(rule, { candidate: version(2, { artifacts: [{ path: 'model.pt', size: 1, sha256: 'a'.repeat(64), mediaType: 'application/vnd.pytorch' }] }) });
    assert.deepEqual(
      bare.map(([passed]) => passed),
      [false, false, false, false],
    );
    assert.match(String(bare[0][1]), /no git lineage/);
    assert.match(String(bare[3][1]), /model\.pt may hold a pickle but was not scanned/);
    assert.match(String(gate(rule, { candidate: version(2, { lineage: { git: { commit: 'c'.repeat(40) } } }) })[0][1]), /not whether the working tree was clean/);
    assert.match(String(gate(rule, { candidate: version(2, { lineage: { git: { commit: 'c'.repeat(40), dirty: true, modified: ['train.py'] } } }) })[0][1]), /uncommitted changes .*train\.py/);

    const scanned = {
      path: 'model.pkl',
      size: 1,
      sha256: 'a'.repeat(64),
      mediaType: 'application/x-python-pickle',
      inspection: { format: 'pickle', summary: {}, findings: [{ severity: 'high', code: 'pickle.unsafe-import', message: 'imports os.system' }] },
    };
    const good = version(2, { lineage: { git: { commit: 'c'.repeat(40), dirty: false }, data: [{ uri: 'data/train.csv', kind: 'file' }], environment: { python: '3.12' } } });
    assert.deepEqual(gate(rule, { candidate: good }).map(([passed]) => passed), [true, true, true, true]);
    const findings = gate({ lineage: { noPickleFindings: true } }, { candidate: version(2, { artifacts: [scanned as Manifest['artifacts'][number]] }) });
    assert.deepEqual(findings, [[false, 'model.pkl: high imports os.system']]);
  });

  it('counts .keras, .npz and .npy as pickle-capable, and a failed inspection as no scan', () => {
    const artifact = (path: string, inspection?: object) => ({ path, size: 1, sha256: 'a'.repeat(64), mediaType: 'application/octet-stream', ...(inspection ? { inspection } : {}) }) as Manifest['artifacts'][number];
    const rule = { lineage: { noPickleFindings: true } };
    const unscanned = gate(rule, { candidate: version(2, { artifacts: [artifact('model.keras'), artifact('weights.npz'), artifact('vocab.npy')] }) });
    assert.deepEqual(unscanned, [[false, 'model.keras may hold a pickle but was not scanned; weights.npz may hold a pickle but was not scanned; vocab.npy may hold a pickle but was not scanned']]);
    const failed = gate(rule, { candidate: version(2, { artifacts: [artifact('model.pkl', { format: 'pickle', summary: {}, error: 'not a readable pickle file: it is empty', findings: [] })] }) });
    assert.deepEqual(failed, [[false, 'model.pkl may hold a pickle but could not be scanned (not a readable pickle file: it is empty)']]);
    const clean = gate(rule, { candidate: version(2, { artifacts: [artifact('model.keras', { format: 'keras', summary: {}, findings: [] })] }) });
    assert.deepEqual(clean, [[true, '1 scanned artifact(s), no findings; 0 other(s) hold no pickles']]);
  });

  it('counts distinct approvers other than the registrant', () => {
    const candidate = version(2, {}, 'alice');
    assert.deepEqual(gate({ approvals: 2 }, { candidate, requests: [request(['alice', 'bob', 'bob'])] })[0], [false, '1 of 2 (bob; request r1)']);
    assert.equal(gate({ approvals: 2 }, { candidate, requests: [request(['bob', 'carol'])] })[0][0], true);
    assert.match(String(gate({ approvals: 1 }, { candidate })[0][1]), /no open request: mreg request fraud\/2 Production/);
  });

  it('is overridable only when every failing rule allows it', () => {
    const candidate = version(2, { metrics: { accuracy: { value: 0.5 } } });
    const rules: GateRule[] = [
      { models: 'fraud*', stages: ['Staging', 'Production'], thresholds: ['accuracy >= 0.9'], allowOverride: true },
      { models: 'fraud', stages: 'Production', thresholds: ['accuracy >= 0.1'] },
    ];
    const evaluation = evaluateGates({ candidate, stage: 'Production', production: undefined, requests: [] }, rules);
    assert.deepEqual([evaluation.passed, evaluation.overridable], [false, true]);
    const strict = evaluateGates({ candidate, stage: 'Production', production: undefined, requests: [] }, [{ ...rules[1], thresholds: ['accuracy >= 0.9'] }, rules[0]]);
    assert.equal(strict.overridable, false);
  });
});

describe('policy file', () => {
  it('is published as schemas/policy.schema.json, as the code defines it (npm run schemas)', () => {
    assert.equal(readFileSync(POLICY_SCHEMA_FILE, 'utf8'), policySchemaText());
  });

  it('selects rules by model glob and stage', () => {
    const policy = parsePolicy('rules:\n  - models: ["fraud-*", churn]\n    stages: Production\n    approvals: 1\n  - models: "*"\n    stages: [Staging]\n', 'policy.yaml');
    assert.equal(rulesFor(policy, 'fraud-detector', 'Production').length, 1);
    assert.equal(rulesFor(policy, 'churn', 'Production').length, 1);
    assert.equal(rulesFor(policy, 'spam', 'Production').length, 0);
    assert.equal(rulesFor(policy, 'spam', 'Staging').length, 1);
  });

  it('refuses bad YAML and anything the schema does not allow, saying where', () => {
    const refused = (text: string) => {
      try {
        parsePolicy(text, 'policy.yaml');
      } catch (error) {
        assert.ok(isRegistryError(error, 'INVALID_INPUT'));
        return error.message;
      }
      assert.fail(`accepted: ${text}`);
    };
    assert.match(refused('rules: [\n'), /policy\.yaml is not valid YAML/);
    assert.match(refused('rules:\n  - models: x\n    stages: Live\n'), /\/rules\/0\/stages/);
    assert.match(refused('rules:\n  - models: x\n    stages: Production\n    thresholds: ["accuracy is high"]\n'), /\/rules\/0\/thresholds\/0/);
    assert.match(refused('rules:\n  - models: x\n    stages: Production\n    aprovals: 2\n'), /\/rules\/0/);
    assert.match(refused('webhooks:\n  - url: http://127.0.0.1/\n    command: [echo]\n'), /either command or url/);
    assert.match(refused('webhooks:\n  - url: http://127.0.0.1/\n    secretEnv: "s3cr3t value"\n'), /secretEnv/);
  });
});

describe('approval requests', () => {
  const event = (seq: number, type: string, actor: string, details: unknown, version = 2, reason: string | null = null): AuditEvent => ({ seq, time: `t${seq}`, actor, type, model: 'fraud', version, reason, details });

  it('are rebuilt from the log: pending, approved, rejected, completed', () => {
    const events = [
      event(1, 'approval.requested', 'alice', { id: 'a', stage: 'Production' }),
      event(2, 'approval.requested', 'alice', { id: 'b', stage: 'Staging' }),
      event(3, 'approval.requested', 'alice', { id: 'c', stage: 'Production' }, 3),
      event(4, 'approval.approved', 'bob', { id: 'a' }),
      event(5, 'approval.rejected', 'carol', { id: 'c' }, 3, 'too slow'),
      event(6, 'approval.approved', 'bob', { id: 'b' }),
      event(7, 'version.stage_changed', 'alice', { from: 'None', to: 'Staging' }),
    ];
    const requests = approvalRequestsFromEvents(events.reverse(), (_model, stage) => (stage === 'Production' ? 2 : 1));
    assert.deepEqual(
      requests.map((r) => [r.id, r.status, r.approvals.length, r.needed]),
      [['a', 'pending', 1, 2], ['b', 'completed', 1, 1], ['c', 'rejected', 0, 2]],
    );
    assert.equal(requests[2].rejections[0].reason, 'too slow');
  });
});

describe('Registry gates', () => {
  it('records the evaluation with the promotion and refuses a failing one without writing', async () => {
    const project = writeFiles(tempFolder('gates'), {
      'model.onnx': 'weights',
      '.modelregistry/policy.yaml': 'rules:\n  - models: fraud\n    stages: Production\n    thresholds: ["auc >= 0.9"]\n',
    });
    const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice' });
    try {
      const low = await registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null, metrics: { auc: 0.8 } });
      const high = await registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null, metrics: { auc: 0.95 } });
      assert.equal(evaluatePromotionGates(registry, 'fraud/1', 'Production').passed, false);
      const before = registry.log().length;
      await assert.rejects(registry.promote(`fraud/${low.number}`, 'Production'), (error) => isRegistryError(error, 'GATE_FAILED'));
      assert.equal(registry.log().length, before);
      await registry.promote(`fraud/${high.number}`, 'Production');
      const [promotion] = registry.log({ limit: 1 });
      assert.deepEqual((promotion.details as { gates: { passed: boolean; results: { detail: string }[] } }).gates.results.map((r) => r.detail), ['auc 0.95 (needs >= 0.9)']);
      await assert.rejects(registry.register({ model: 'fraud', paths: [path.join(project, 'model.onnx')], git: null, stage: 'Production', params: { x: 1 } }), /cannot be registered straight into it/);
    } finally {
      await registry.close();
    }
  });
});
