import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelVersion, ResolvedArtifact, ResolvedVersion } from '../../../src/core/modelVersion';
import { pullVersion } from '../../../src/registry/pullVersion';
import { RegistryError, type RegistryErrorCode } from '../../../src/core/registryError';
import { BlobStore } from '../../../src/store/blobStore';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

const version: ModelVersion = {
  model: 'fraud-detector',
  number: 3,
  id: '01JNQ0000000000000000000000',
  semver: null,
  stage: 'Production',
  aliases: [],
  fingerprint: 'f'.repeat(64),
  description: null,
  tags: {},
  createdAt: '2025-03-04T05:06:07.089Z',
  createdBy: 'alice@example.com',
  gitCommit: null,
  gitBranch: null,
};

/**
 * A registry folder with real blobs, and a fresh folder around the pull target so that anything
 * written outside the target would show up in `base`.
 */
function setUp() {
  const base = tempFolder('mreg-pull');
  const store = new BlobStore(path.join(base, 'registry'));
  const artifact = (artifactPath: string, content: string | Buffer): ResolvedArtifact => {
    const blob = store.putBytes(Buffer.from(content));
    return { path: artifactPath, size: blob.size, sha256: blob.sha256, mediaType: 'application/octet-stream', blobPath: store.pathOf(blob.sha256) };
  };
  const resolved = (...artifacts: ResolvedArtifact[]): ResolvedVersion => ({ version, artifacts, pinned: true });
  return { base, store, to: path.join(base, 'out'), artifact, resolved };
}

async function assertRejected(pull: Promise<unknown>, code: RegistryErrorCode, why?: RegExp): Promise<void> {
  await assert.rejects(pull, (error: unknown) => {
    assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
    assert.equal(error.code, code);
    if (why) assert.match(error.message, why);
    return true;
  });
}

/** Every file and folder under `dir`, relative, sorted; temporaries included. */
function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).map((entry) => entry.split(path.sep).join('/')).sort();
}

describe('pullVersion', () => {
  it('writes each artifact under its relative path and reports it written', async () => {
    const { to, artifact, resolved } = setUp();
    const result = await pullVersion(resolved(artifact('model.onnx', 'weights'), artifact('tokenizer/vocab.json', '{"a":1}')), to);
    assert.equal(readFileSync(path.join(to, 'model.onnx'), 'utf8'), 'weights');
    assert.equal(readFileSync(path.join(to, 'tokenizer', 'vocab.json'), 'utf8'), '{"a":1}');
    assert.deepEqual(listTree(to), ['model.onnx', 'tokenizer', 'tokenizer/vocab.json']);
    assert.equal(result.model, 'fraud-detector');
    assert.equal(result.version, 3);
    assert.equal(result.to, path.resolve(to));
    assert.deepEqual(
      result.files.map((file) => [file.path, file.size, file.status]),
      [
        ['model.onnx', 7, 'written'],
        ['tokenizer/vocab.json', 7, 'written'],
      ],
    );
  });

  it('reports files already there with the same bytes as unchanged, and leaves them alone', async () => {
    const { to, artifact, resolved } = setUp();
    const version = resolved(artifact('model.onnx', 'weights'), artifact('tokenizer/vocab.json', '{"a":1}'));
    await pullVersion(version, to);
    const before = statSync(path.join(to, 'model.onnx'));
    const again = await pullVersion(version, to);
    assert.deepEqual(again.files.map((file) => file.status), ['unchanged', 'unchanged']);
    const after = statSync(path.join(to, 'model.onnx'));
    assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs]);
  });

  it('reports progress up to the bytes it had to write', async () => {
    const { to, artifact, resolved } = setUp();
    const calls: [number, number, string][] = [];
    await pullVersion(resolved(artifact('a.bin', 'aaaa'), artifact('b.bin', 'bbbbbb')), to, { onProgress: (done, total, file) => calls.push([done, total, file]) });
    assert.deepEqual(calls.at(-1), [10, 10, 'b.bin']);
    assert.ok(calls.some(([done, , file]) => file === 'a.bin' && done === 4));
  });

  describe('when a different file is in the way', () => {
    it('refuses with FILE_EXISTS, naming it, and writes nothing at all', async () => {
      const { to, artifact, resolved } = setUp();
      mkdirSync(to);
      writeFileSync(path.join(to, 'model.onnx'), 'my own weights');
      // the artifact that could be written comes first: it must not be
      const version = resolved(artifact('config.json', '{}'), artifact('model.onnx', 'weights'));
      await assertRejected(pullVersion(version, to), 'FILE_EXISTS', /different files at model\.onnx; nothing was written.*--force/);
      assert.equal(readFileSync(path.join(to, 'model.onnx'), 'utf8'), 'my own weights');
      assert.deepEqual(listTree(to), ['model.onnx']);
    });

    it('treats a folder at the artifact path as in the way', async () => {
      const { to, artifact, resolved } = setUp();
      mkdirSync(path.join(to, 'model.onnx'), { recursive: true });
      await assertRejected(pullVersion(resolved(artifact('model.onnx', 'weights')), to), 'FILE_EXISTS');
    });

    it('overwrites it with force', async () => {
      const { to, artifact, resolved } = setUp();
      mkdirSync(to);
      writeFileSync(path.join(to, 'model.onnx'), 'my own weights');
      const result = await pullVersion(resolved(artifact('config.json', '{}'), artifact('model.onnx', 'weights')), to, { force: true });
      assert.equal(readFileSync(path.join(to, 'model.onnx'), 'utf8'), 'weights');
      assert.equal(readFileSync(path.join(to, 'config.json'), 'utf8'), '{}');
      assert.deepEqual(result.files.map((file) => file.status), ['written', 'written']);
      assert.deepEqual(listTree(to), ['config.json', 'model.onnx']);
    });

    it('replaces a link at the artifact path with force, never the file it points to', async () => {
      const { base, to, artifact, resolved } = setUp();
      mkdirSync(to);
      writeFileSync(path.join(base, 'precious.txt'), 'keep me');
      symlinkSync(path.join(base, 'precious.txt'), path.join(to, 'model.onnx'));
      await assertRejected(pullVersion(resolved(artifact('model.onnx', 'weights')), to), 'FILE_EXISTS');
      await pullVersion(resolved(artifact('model.onnx', 'weights')), to, { force: true });
      assert.equal(readFileSync(path.join(base, 'precious.txt'), 'utf8'), 'keep me');
      assert.ok(lstatSync(path.join(to, 'model.onnx')).isFile());
      assert.equal(readFileSync(path.join(to, 'model.onnx'), 'utf8'), 'weights');
    });
  });

  describe('with untrusted manifest paths', () => {
    it("refuses a path climbing out with '..' and writes nothing, inside or out", async () => {
      const { base, to, artifact, resolved } = setUp();
      const version = resolved(artifact('model.onnx', 'weights'), artifact('../escape.txt', 'gotcha'));
      const before = listTree(base);
      await assertRejected(pullVersion(version, to), 'UNSAFE_PATH', /'\.\.\/escape\.txt'/);
      assert.equal(existsSync(path.join(base, 'escape.txt')), false);
      assert.deepEqual(listTree(to), []);
      assert.deepEqual(listTree(base).filter((entry) => entry !== 'out'), before);
    });

    it('refuses an absolute path and does not write there', async () => {
      const { base, to, artifact, resolved } = setUp();
      const absolute = path.join(base, 'absolute.txt');
      await assertRejected(pullVersion(resolved(artifact(absolute, 'gotcha')), to), 'UNSAFE_PATH', /absolute/);
      await assertRejected(pullVersion(resolved(artifact('/abs', 'gotcha')), to), 'UNSAFE_PATH', /absolute/);
      assert.equal(existsSync(absolute), false);
      assert.deepEqual(listTree(to), []);
    });

    it('refuses to follow a link in the target folder that leads outside it', async () => {
      const { base, to, artifact, resolved } = setUp();
      const elsewhere = path.join(base, 'elsewhere');
      mkdirSync(elsewhere);
      mkdirSync(to);
      symlinkSync(elsewhere, path.join(to, 'sub'));
      for (const artifactPath of ['sub/x.bin', 'sub/deeper/x.bin']) {
        await assertRejected(pullVersion(resolved(artifact('model.onnx', 'weights'), artifact(artifactPath, 'gotcha')), to), 'UNSAFE_PATH', /a link in the target folder leads outside it/);
      }
      assert.deepEqual(readdirSync(elsewhere), []);
      assert.deepEqual(listTree(to), ['sub']);
    });

    it('follows a link that stays inside the target folder', async () => {
      const { to, artifact, resolved } = setUp();
      mkdirSync(path.join(to, 'real'), { recursive: true });
      symlinkSync(path.join(to, 'real'), path.join(to, 'sub'));
      await pullVersion(resolved(artifact('sub/x.bin', 'inside')), to);
      assert.equal(readFileSync(path.join(to, 'real', 'x.bin'), 'utf8'), 'inside');
    });
  });

  describe('when the registry is damaged', () => {
    it('refuses a blob whose bytes changed on disk with CORRUPT, and leaves no target file', async () => {
      const { to, artifact, resolved } = setUp();
      const damaged = artifact('model.onnx', 'weights that will rot');
      chmodSync(damaged.blobPath, 0o644);
      const bytes = readFileSync(damaged.blobPath);
      bytes[3] ^= 0x01;
      writeFileSync(damaged.blobPath, bytes);
      await assertRejected(pullVersion(resolved(damaged), to), 'CORRUPT', /stored bytes of model\.onnx are damaged.*mreg verify/);
      assert.equal(existsSync(path.join(to, 'model.onnx')), false);
      assert.deepEqual(listTree(to), [], 'no temporary file is left behind either');
    });

    it('refuses a missing blob with NOT_FOUND before writing anything', async () => {
      const { store, to, artifact, resolved } = setUp();
      const missing = { ...artifact('model.onnx', 'x'), sha256: 'e'.repeat(64), blobPath: store.pathOf('e'.repeat(64)) };
      await assertRejected(pullVersion(resolved(artifact('config.json', '{}'), missing), to), 'NOT_FOUND', /model\.onnx/);
      assert.deepEqual(listTree(to), []);
    });
  });

  it('stops with CANCELLED when the signal has fired, writing nothing', async () => {
    const { to, artifact, resolved } = setUp();
    const controller = new AbortController();
    controller.abort();
    await assertRejected(pullVersion(resolved(artifact('model.onnx', 'weights')), to, { signal: controller.signal }), 'CANCELLED');
    assert.deepEqual(listTree(to), []);
  });

  it('refuses, before creating anything, a file standing where a folder is needed', async () => {
    const { base, to, artifact, resolved } = setUp();
    writeFileSync(path.join(base, 'placeholder'), '');
    mkdirSync(to);
    writeFileSync(path.join(to, 'sub'), 'a file, not a folder');
    await assertRejected(pullVersion(resolved(artifact('a.bin', 'a'), artifact('sub/x.bin', 'x')), to, { force: true }), 'FILE_EXISTS', /sub is in the way/);
    assert.deepEqual(listTree(to), ['sub']);
  });

  it('refuses, even with force, a folder standing where a file goes, writing no other artifact', async () => {
    const { to, artifact, resolved } = setUp();
    mkdirSync(path.join(to, 'model.onnx'), { recursive: true });
    await assertRejected(pullVersion(resolved(artifact('a.bin', 'a'), artifact('model.onnx', 'weights')), to, { force: true }), 'FILE_EXISTS', /model\.onnx is in the way/);
    assert.deepEqual(listTree(to), ['model.onnx']);
  });

  it('refuses a broken link on the way, with UNSAFE_PATH', async () => {
    const { base, to, artifact, resolved } = setUp();
    mkdirSync(to);
    symlinkSync(path.join(base, 'nowhere'), path.join(to, 'sub'));
    await assertRejected(pullVersion(resolved(artifact('sub/x.bin', 'x')), to), 'UNSAFE_PATH', /broken link/);
    assert.equal(existsSync(path.join(base, 'nowhere')), false);
  });

  it('creates no target folder when it refuses', async () => {
    const { to, artifact, resolved } = setUp();
    await assertRejected(pullVersion(resolved(artifact('../x.bin', 'x')), to), 'UNSAFE_PATH');
    assert.equal(existsSync(to), false);
  });

  it("refuses a manifest whose paths collide ('tok' and 'tok/vocab.json', or one path twice)", async () => {
    const { to, artifact, resolved } = setUp();
    await assertRejected(pullVersion(resolved(artifact('tok', 'a'), artifact('tok/vocab.json', 'b')), to), 'UNSAFE_PATH', /'tok' is a file/);
    await assertRejected(pullVersion(resolved(artifact('x.bin', 'a'), artifact('x.bin', 'b')), to), 'UNSAFE_PATH', /appears twice/);
    assert.equal(existsSync(to), false);
  });
});
