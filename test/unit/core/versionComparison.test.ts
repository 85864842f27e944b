import assert from 'node:assert/strict';
import type { GitLineage, Manifest } from '../../../src/core/manifest';
import type { ModelVersionDetails } from '../../../src/core/modelVersion';
import { asSignature, compareColumns, compareVersions, flatten } from '../../../src/core/versionComparison';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

function manifest(changes: Omit<Partial<Manifest>, 'lineage'> & { lineage?: Partial<Manifest['lineage']> } = {}): Manifest {
  const { lineage, ...rest } = changes;
  return {
    schemaVersion: 1,
    artifacts: [{ path: 'model.onnx', size: 10, sha256: HASH_A, mediaType: 'application/onnx' }],
    metrics: {},
    source: { inputs: ['model.onnx'] },
    ...rest,
    lineage: { git: null, data: [], params: {}, environment: {}, ...lineage },
  };
}

function artifact(path: string, size: number, sha256: string): Manifest['artifacts'][number] {
  return { path, size, sha256, mediaType: 'application/octet-stream' };
}

function version(number: number, m: Manifest): ModelVersionDetails {
  return {
    model: 'fraud', number, id: `id${number}`, semver: null, stage: 'None', aliases: [], fingerprint: `f${number}`, description: null, tags: {},
    createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'me', gitCommit: null, gitBranch: null, manifest: m,
  };
}

describe('compareVersions', () => {
  it('puts metrics side by side with deltas and calls each better or worse by its direction', () => {
    const before = manifest({ metrics: { auc: { value: 0.9, direction: 'max' }, latency: { value: 20, direction: 'min' }, loss: { value: 0.5 }, f1: { value: 0.7, direction: 'max' }, old: { value: 1 }, zero: { value: 0, direction: 'max' } } });
    const after = manifest({ metrics: { auc: { value: 0.95, direction: 'max' }, latency: { value: 25, direction: 'min' }, loss: { value: 0.4 }, f1: { value: 0.7, direction: 'max' }, fresh: { value: 3 }, zero: { value: 2, direction: 'max' } } });
    const metrics = Object.fromEntries(compareVersions(version(1, before), version(2, after)).metrics.map((m) => [m.name, m]));
    assert.equal(metrics.auc.verdict, 'better');
    assert.ok(Math.abs((metrics.auc.delta ?? 0) - 0.05) < 1e-12);
    assert.ok(Math.abs((metrics.auc.relativeDelta ?? 0) - 0.05 / 0.9) < 1e-12);
    assert.deepEqual([metrics.latency.verdict, metrics.latency.delta, metrics.latency.relativeDelta], ['worse', 5, 0.25]);
    assert.deepEqual([metrics.loss.verdict, metrics.loss.status], ['neutral', 'changed'], 'no direction: neither better nor worse');
    assert.deepEqual([metrics.f1.status, metrics.f1.verdict, metrics.f1.delta], ['same', 'neutral', 0]);
    assert.deepEqual([metrics.old.status, metrics.old.before, metrics.old.after, metrics.old.delta], ['removed', 1, null, null]);
    assert.deepEqual([metrics.fresh.status, metrics.fresh.after], ['added', 3]);
    assert.deepEqual([metrics.zero.verdict, metrics.zero.relativeDelta], ['better', null], 'no relative change from zero');
  });

  it('lists params added, removed and changed, and artifacts same, changed, added and removed with sizes', () => {
    const before = manifest({
      lineage: { params: { lr: 0.01, epochs: 10, dropout: 0.1 } },
      artifacts: [artifact('model.onnx', 10, HASH_A), artifact('vocab.json', 3, HASH_A), artifact('old.bin', 5, HASH_B)],
    });
    const after = manifest({
      lineage: { params: { lr: 0.02, epochs: 10, batch: 32 } },
      artifacts: [artifact('model.onnx', 12, HASH_B), artifact('vocab.json', 3, HASH_A), artifact('new.bin', 7, HASH_B)],
    });
    const comparison = compareVersions(version(1, before), version(2, after));
    assert.deepEqual(comparison.params.map((p) => [p.name, p.status, p.before, p.after]), [
      ['batch', 'added', null, 32], ['dropout', 'removed', 0.1, null], ['epochs', 'same', 10, 10], ['lr', 'changed', 0.01, 0.02],
    ]);
    assert.deepEqual(comparison.artifacts.map((a) => [a.path, a.status, a.before?.size ?? null, a.after?.size ?? null]), [
      ['model.onnx', 'changed', 10, 12], ['new.bin', 'added', null, 7], ['old.bin', 'removed', 5, null], ['vocab.json', 'same', 3, 3],
    ]);
    assert.deepEqual(comparison.summary.artifacts, { same: 1, changed: 1, added: 1, removed: 1 });
    assert.deepEqual(comparison.summary.params, { changed: 1, added: 1, removed: 1 });
  });

  it('compares lineage: commit, data, and environment packages and lock files, tolerating missing sections', () => {
    const before = manifest({
      lineage: {
        git: { commit: 'c1', branch: 'main' },
        data: [{ uri: 'data/train.csv', kind: 'file', sha256: HASH_A, size: 4 }, { uri: 's3://b/k', kind: 'uri' }],
        environment: { python: '3.11.4', packages: { numpy: '1.26.0', torch: '2.1.0' }, lockFiles: [{ path: 'uv.lock', sha256: HASH_A }] },
      },
    });
    const after = manifest({
      lineage: {
        // Lineage capture records more git details than the schema names.
        git: { commit: 'c2', branch: 'main', dirty: true } as GitLineage,
        data: [{ uri: 'data/train.csv', kind: 'file', sha256: HASH_B, size: 4 }, { uri: 's3://b/k', kind: 'uri' }],
        environment: { python: '3.11.4', packages: { numpy: '2.0.0', torch: '2.1.0', pandas: '2.2.0' }, lockFiles: [{ path: 'uv.lock', sha256: HASH_B }] },
      },
    });
    const { lineage } = compareVersions(version(1, before), version(2, after));
    assert.deepEqual([lineage.git.before, lineage.git.after], ['c1', 'c2']);
    assert.deepEqual(lineage.git.fields.filter((f) => f.status !== 'same').map((f) => [f.name, f.status]), [['commit', 'changed'], ['dirty', 'added']]);
    assert.deepEqual(lineage.data.map((d) => [d.uri, d.status]), [['data/train.csv', 'changed'], ['s3://b/k', 'same']]);
    assert.deepEqual(lineage.environment.filter((e) => e.status !== 'same').map((e) => [e.name, e.status, e.before, e.after]), [
      ['lockFiles[uv.lock].sha256', 'changed', HASH_A, HASH_B],
      ['packages.numpy', 'changed', '1.26.0', '2.0.0'],
      ['packages.pandas', 'added', null, '2.2.0'],
    ]);

    const bare = compareVersions(version(1, manifest()), version(2, manifest()));
    assert.deepEqual([bare.lineage.git.before, bare.lineage.git.fields, bare.lineage.data, bare.lineage.environment, bare.metrics, bare.params], [null, [], [], [], [], []]);
    assert.equal(bare.signature.comparison.breaking, false);
  });

  it('compares signatures that have the right shape and ignores ones that do not', () => {
    const signature = { inputs: [{ name: 'x', elementType: 'float32', shape: ['batch', 3] }], outputs: [{ name: 'y', elementType: 'float32', shape: ['batch', 2] }] };
    const changed = { ...signature, inputs: [{ name: 'x', elementType: 'float16', shape: ['batch', 3] }] };
    const comparison = compareVersions(version(1, manifest({ signature })), version(2, manifest({ signature: changed })));
    assert.equal(comparison.signature.comparison.breaking, true);
    assert.equal(comparison.summary.breakingSignature, true);
    assert.match(comparison.signature.comparison.changes[0].message, /float32 → float16/);
    assert.equal(asSignature({ inputs: [{ name: 1 }], outputs: [] }), null);
    assert.equal(asSignature('<script>'), null);
  });

  it('keeps the raw manifests and the two versions it compared', () => {
    const a = manifest();
    const b = manifest({ metrics: { auc: { value: 1 } } });
    const comparison = compareVersions(version(1, a), version(3, b));
    assert.equal(comparison.manifests.before, a);
    assert.equal(comparison.manifests.after, b);
    assert.deepEqual([comparison.before.ref, comparison.after.ref, comparison.sameFingerprint], ['fraud/1', 'fraud/3', false]);
  });

  it('flattens nested records into dotted keys and arrays of named records by name', () => {
    assert.deepEqual(flatten({ a: { b: 1, c: { d: 'x' } }, list: [1, 2], named: [{ name: 'n', v: 1 }, { name: 'm' }], empty: {} }), {
      'a.b': 1, 'a.c.d': 'x', list: [1, 2], 'named[n].v': 1, 'named[m]': true, empty: {},
    });
  });
});

describe('compareColumns', () => {
  it('marks the best value by direction, ties included, and nothing when all are equal or the direction is unknown', () => {
    const columns = compareColumns([
      version(1, manifest({ metrics: { auc: { value: 0.9, direction: 'max' }, loss: { value: 0.2 }, same: { value: 1, direction: 'min' }, latency: { value: 9, direction: 'min' } } })),
      version(2, manifest({ metrics: { auc: { value: 0.95, direction: 'max' }, loss: { value: 0.1 }, same: { value: 1, direction: 'min' } } })),
      version(3, manifest({ metrics: { auc: { value: 0.95 }, same: { value: 1 }, latency: { value: 7, direction: 'min' } }, lineage: { params: { lr: null } } })),
    ]);
    assert.deepEqual(columns.metrics.map((metric) => [metric.name, metric.direction, metric.values, metric.best]), [
      ['auc', 'max', [0.9, 0.95, 0.95], [1, 2]],
      ['latency', 'min', [9, null, 7], [2]],
      ['loss', null, [0.2, 0.1, null], []],
      ['same', 'min', [1, 1, 1], []],
    ]);
    assert.deepEqual(columns.params, [{ name: 'lr', values: [null, null, null], present: [false, false, true], differs: true }], 'a recorded null differs from a missing param');
    assert.deepEqual(columns.artifacts.map((artifact) => artifact.differs), [false]);
  });
});
