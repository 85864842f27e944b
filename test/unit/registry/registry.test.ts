import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Registry, type RegisterInput } from '../../../src/index';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

async function openRegistry(): Promise<{ registry: Registry; project: string }> {
  const project = writeFiles(tempFolder('registry'), {
    'model.onnx': 'weights v1',
    'model-v2.onnx': 'weights v2',
    'tokenizer/vocab.json': '{"a": 1}',
    'tokenizer/merges/part-1.txt': 'ab',
  });
  const registry = await Registry.open({ folder: path.join(project, '.modelregistry'), actor: 'alice@example.com' });
  opened.push(registry);
  return { registry, project };
}

function input(project: string, overrides: Partial<RegisterInput> = {}): RegisterInput {
  return { model: 'fraud-detector', paths: [path.join(project, 'model.onnx')], git: null, ...overrides };
}

describe('Registry', () => {
  describe('models', () => {
    it('refuses a new model whose name differs from a registered one only in case, and keeps adding to the same name', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { model: 'Fraud-Detector' }));
      await registry.register(input(project, { model: 'churn' }));
      await assert.rejects(registry.register(input(project, { model: 'fraud-detector', params: { lr: 2 } })), /Model 'Fraud-Detector' is already registered; 'fraud-detector' differs from it only in case/);
      const second = await registry.register(input(project, { model: 'Fraud-Detector', params: { lr: 2 } }));
      assert.equal(second.number, 2);
      assert.deepEqual(registry.models().map((model) => model.name), ['Fraud-Detector', 'churn']);
    });

    it('lists each model with its version count, latest number, Production version and tags', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { params: { lr: 1 } }));
      await registry.register(input(project, { params: { lr: 2 } }));
      await registry.register(input(project, { params: { lr: 3 } }));
      await registry.register(input(project, { model: 'churn' }));
      await registry.promote('fraud-detector/2', 'Production');
      await registry.updateModel('churn', { tags: { team: 'risk', owner: 'ml' } });
      const summary = (name: string) => {
        const model = registry.model(name);
        return [model.name, model.versionCount, model.latestVersion, model.productionVersion, model.tags];
      };
      assert.deepEqual(registry.models().map((model) => [model.name, model.versionCount, model.latestVersion, model.productionVersion, model.tags]), [
        ['churn', 1, 1, null, { owner: 'ml', team: 'risk' }],
        ['fraud-detector', 3, 3, 2, {}],
      ]);
      assert.deepEqual(registry.counts(), { models: 2, versions: 4 });
      assert.deepEqual(summary('fraud-detector'), ['fraud-detector', 3, 3, 2, {}]);
      assert.deepEqual(summary('churn'), ['churn', 1, 1, null, { owner: 'ml', team: 'risk' }]);
      assert.throws(() => registry.model('nope'), /No model named 'nope'/);
    });
  });

  describe('register', () => {
    it('numbers versions 1, 2, 3 per model and records who and when', async () => {
      const { registry, project } = await openRegistry();
      const first = await registry.register(input(project, { metrics: { auc: 0.9 } }));
      const second = await registry.register(input(project, { metrics: { auc: 0.91 } }));
      const other = await registry.register(input(project, { model: 'churn' }));
      assert.deepEqual([first.number, second.number, other.number], [1, 2, 1]);
      assert.equal(first.createdBy, 'alice@example.com');
      assert.match(first.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.ok(Date.parse(first.createdAt) <= Date.now());
      assert.equal(first.stage, 'None');
    });

    it('refuses the same tuple twice, naming the existing version', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { metrics: { auc: 0.9 }, params: { lr: 0.01 } }));
      await assert.rejects(registry.register(input(project, { metrics: { auc: 0.9 }, params: { lr: 0.01 } })), (error: Error & { code?: string }) => {
        assert.equal(error.code, 'DUPLICATE');
        assert.match(error.message, /fraud-detector\/1/);
        return true;
      });
      assert.equal(registry.versions('fraud-detector').length, 1);
    });

    it('makes a new version when any element of the tuple changes', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { params: { lr: 0.01 } }));
      await registry.register(input(project, { params: { lr: 0.02 } }));
      await registry.register(input(project, { params: { lr: 0.02 }, data: ['s3://bucket/train.csv'] }));
      await registry.register(input(project, { params: { lr: 0.02 }, data: ['s3://bucket/train.csv'], git: { commit: 'abc' } }));
      assert.equal(registry.versions('fraud-detector').length, 4);
    });

    it('registers a folder as a set of files with relative paths', async () => {
      const { registry, project } = await openRegistry();
      const version = await registry.register(input(project, { paths: [path.join(project, 'model.onnx'), path.join(project, 'tokenizer')] }));
      const { manifest } = registry.version(`fraud-detector/${version.number}`);
      assert.deepEqual(
        manifest.artifacts.map((artifact) => artifact.path),
        ['model.onnx', 'tokenizer/merges/part-1.txt', 'tokenizer/vocab.json'],
      );
      assert.equal(manifest.artifacts[0].mediaType, 'application/onnx');
      assert.equal(manifest.artifacts[0].size, 'weights v1'.length);
    });

    it('stores identical content once across versions and models', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { metrics: { auc: 0.9 } }));
      await registry.register(input(project, { model: 'other', metrics: { auc: 0.9 } }));
      const artifactBlobs = [...registry.blobs.list()].filter((blob) => blob.size === 'weights v1'.length);
      assert.equal(artifactBlobs.length, 1);
    });

    it('keeps semver labels valid and unique per model', async () => {
      const { registry, project } = await openRegistry();
      const version = await registry.register(input(project, { semver: 'v1.2.0' }));
      assert.equal(version.semver, '1.2.0');
      await assert.rejects(registry.register(input(project, { semver: '1.2.0', params: { x: 1 } })), /already taken by fraud-detector\/1/);
      await assert.rejects(registry.register(input(project, { semver: 'one', params: { x: 2 } })), /Invalid semver label 'one'/);
      await registry.register(input(project, { model: 'other', semver: '1.2.0' }));
      assert.equal(registry.resolve('fraud-detector@v1.2.0').version.number, 1);
    });

    it('rejects bad names, metrics and paths before reading any file', async () => {
      const { registry, project } = await openRegistry();
      await assert.rejects(registry.register(input(project, { model: 'fraud detector' })), { code: 'INVALID_NAME' });
      await assert.rejects(registry.register(input(project, { metrics: { auc: Number.NaN } })), /must be a finite number/);
      await assert.rejects(registry.register(input(project, { metricDirections: { auc: 'max' } })), /no value/);
      await assert.rejects(registry.register(input(project, { paths: [path.join(project, 'missing.onnx')] })), { code: 'NOT_FOUND' });
      assert.deepEqual(registry.models(), []);
    });

    it('records metrics with directions, params with their JSON types, tags and data lineage', async () => {
      const { registry, project } = await openRegistry();
      writeFiles(project, { 'data/train.csv': 'a,b\n1,2\n', 'data/more/test.csv': 'a,b\n' });
      await registry.register(
        input(project, {
          metrics: { auc: 0.93, latency_ms: 12 },
          metricDirections: { auc: 'max', latency_ms: 'min' },
          params: { lr: 0.01, seed: '042', amp: true },
          tags: { team: 'risk' },
          data: [path.join(project, 'data/train.csv'), path.join(project, 'data'), 'https://example.com/d.parquet'],
          description: 'first cut',
        }),
      );
      const details = registry.version('fraud-detector/1');
      assert.deepEqual(details.manifest.metrics, { auc: { value: 0.93, direction: 'max' }, latency_ms: { value: 12, direction: 'min' } });
      assert.deepEqual(details.manifest.lineage.params, { lr: 0.01, seed: '042', amp: true });
      assert.deepEqual(details.tags, { team: 'risk' });
      assert.equal(details.description, 'first cut');
      const [file, folder, uri] = details.manifest.lineage.data;
      assert.deepEqual([file.uri, file.kind, file.size], ['data/train.csv', 'file', 8]);
      assert.match(file.sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.deepEqual([folder.uri, folder.kind, folder.files], ['data', 'folder', 2]);
      assert.deepEqual(uri, { uri: 'https://example.com/d.parquet', kind: 'uri' });
      assert.deepEqual(details.manifest.source.inputs, ['model.onnx']);
    });

    it('captures the commit and branch of the project', async () => {
      const { registry, project } = await openRegistry();
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: project, encoding: 'utf8' }).trim();
      git('init', '-q', '-b', 'main');
      git('add', 'model.onnx');
      git('commit', '-qm', 'first');
      const { git: _omit, ...withoutGit } = input(project);
      await registry.register(withoutGit);
      const details = registry.version('fraud-detector/1');
      const lineage = details.manifest.lineage.git;
      assert.deepEqual([lineage?.commit, lineage?.branch, lineage?.subject, lineage?.dirty], [git('rev-parse', 'HEAD'), 'main', 'first', true]);
      assert.deepEqual(lineage?.modified, []);
      assert.ok(lineage?.untracked?.includes('tokenizer/'), 'files not yet committed make the tree dirty');
      assert.equal(details.gitCommit, git('rev-parse', 'HEAD'));
    });

    it('leaves nothing registered when cancelled', async () => {
      const { registry, project } = await openRegistry();
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(registry.register(input(project), { signal: controller.signal }), { code: 'CANCELLED' });
      assert.deepEqual(registry.models(), []);
      assert.deepEqual(registry.log(), []);
    });

    it('reports progress in bytes of the whole job', async () => {
      const { registry, project } = await openRegistry();
      const seen: [number, number][] = [];
      await registry.register(input(project, { paths: [path.join(project, 'model.onnx'), path.join(project, 'tokenizer')] }), { onProgress: (done, total) => seen.push([done, total]) });
      const total = 'weights v1'.length + '{"a": 1}'.length + 'ab'.length;
      assert.deepEqual(seen[seen.length - 1], [total, total]);
    });
  });

  describe('promote', () => {
    it('archives the previous Production version, as its own event', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { metrics: { auc: 1 } }));
      await registry.register(input(project, { metrics: { auc: 2 } }));
      await registry.promote('fraud-detector/1', 'Production');
      await registry.promote('fraud-detector/2', 'Production', { reason: 'better auc' });
      assert.deepEqual(registry.versions('fraud-detector').map((v) => [v.number, v.stage]), [[2, 'Production'], [1, 'Archived']]);
      const [promoted, archived] = registry.log({ limit: 2 });
      assert.deepEqual([promoted.type, promoted.version, promoted.reason], ['version.stage_changed', 2, 'better auc']);
      assert.deepEqual([archived.type, archived.version, archived.reason], ['version.stage_changed', 1, 'superseded by fraud-detector/2']);
      assert.deepEqual(archived.details, { from: 'Production', to: 'Archived', supersededBy: 2 });
      assert.equal(registry.resolve('fraud-detector@production').version.number, 2);
    });

    it('keeps the archived version available for rollback', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { metrics: { auc: 1 }, stage: 'Production' }));
      await registry.register(input(project, { metrics: { auc: 2 }, stage: 'Production' }));
      await registry.promote('fraud-detector@archived', 'Production', { reason: 'rollback' });
      assert.equal(registry.resolve('models:/fraud-detector/Production').version.number, 1);
      assert.equal(registry.model('fraud-detector').productionVersion, 1);
    });

    it('refuses a no-op promotion and a missing stage', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { stage: 'Staging' }));
      await assert.rejects(registry.promote('fraud-detector/1', 'Staging'), /already in Staging/);
      await assert.rejects(async () => registry.resolve('fraud-detector@production'), /has no stage Production/);
    });
  });

  describe('aliases', () => {
    it('points one alias at one version and moves it on reassignment', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { metrics: { auc: 1 } }));
      await registry.register(input(project, { metrics: { auc: 2 } }));
      await registry.setAlias('fraud-detector/1', 'champion');
      await registry.setAlias('fraud-detector/2', 'champion');
      assert.equal(registry.resolve('fraud-detector@champion').version.number, 2);
      assert.deepEqual(registry.versions('fraud-detector').map((v) => v.aliases), [['champion'], []]);
      assert.deepEqual(registry.log({ limit: 1 })[0].details, { alias: 'champion', previous: 1 });
      await registry.removeAlias('fraud-detector', 'champion');
      await assert.rejects(async () => registry.resolve('fraud-detector@champion'), /has no alias 'champion'/);
    });

    it("reserves 'latest' and refuses stage names", async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project));
      await assert.rejects(registry.setAlias('fraud-detector/1', 'latest'), /reserved/);
      await assert.rejects(registry.setAlias('fraud-detector/1', 'production'), /stage name/);
    });
  });

  describe('updates', () => {
    it('changes only description and tags, each as an event', async () => {
      const { registry, project } = await openRegistry();
      const before = await registry.register(input(project, { tags: { a: '1', b: '2' } }));
      const after = await registry.updateVersion('fraud-detector/1', { description: 'now described', tags: { a: null, c: '3' }, reason: 'tidy' });
      assert.deepEqual(after.tags, { b: '2', c: '3' });
      assert.equal(after.description, 'now described');
      assert.equal(after.fingerprint, before.fingerprint);
      const model = await registry.updateModel('fraud-detector', { description: 'fraud scoring', tags: { team: 'risk' } });
      assert.deepEqual([model.description, model.tags], ['fraud scoring', { team: 'risk' }]);
      assert.deepEqual(registry.log({ limit: 2 }).map((event) => event.type), ['model.updated', 'version.updated']);
    });
  });

  describe('resolve', () => {
    it('marks a bare model name as unpinned and returns local blob paths', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project));
      const bare = registry.resolve('fraud-detector');
      const pinned = registry.resolve('fraud-detector/1');
      assert.equal(bare.pinned, false);
      assert.equal(pinned.pinned, true);
      assert.ok(existsSync(pinned.artifacts[0].blobPath));
      assert.equal(path.basename(pinned.artifacts[0].blobPath), pinned.artifacts[0].sha256);
    });

    it('says which model is unknown and which exist', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project));
      assert.throws(() => registry.resolve('fraud/1'), /No model named 'fraud'. Known models: fraud-detector/);
    });
  });

  describe('versionsByMetric', () => {
    it('finds versions across models by a metric range, best first', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { metrics: { auc: 0.8 } }));
      await registry.register(input(project, { metrics: { auc: 0.95 } }));
      await registry.register(input(project, { model: 'other', metrics: { auc: 0.9 } }));
      const found = registry.versionsByMetric('auc', { min: 0.85 });
      assert.deepEqual(found.map((v) => [v.model, v.number, v.metricValue]), [['fraud-detector', 2, 0.95], ['other', 1, 0.9]]);
    });
  });

  describe('verify', () => {
    it('finds nothing wrong in a healthy registry', async () => {
      const { registry, project } = await openRegistry();
      await registry.register(input(project, { paths: [path.join(project, 'tokenizer')] }));
      const report = await registry.verify();
      assert.deepEqual(report.problems, []);
      assert.equal(report.events, 2);
      assert.ok(readdirSync(path.join(project, '.modelregistry', 'blobs', 'sha256')).length > 0);
    });
  });
});
