import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { isRegistryError } from '../../../src/core/registryError';
import { canonicalJson } from '../../../src/core/canonicalJson';
import { Registry } from '../../../src/index';
import { inspectArtifact } from '../../../src/formats/inspectArtifact';
import type { Inspection } from '../../../src/formats/inspection';
import { deflatedZipBytes, ggufBytes, onnxValueInfo, proto, safetensorsWithHeader, zipBytes } from '../../support/modelFixtures';
import { useTempFolders } from '../../support/tempFolders';

const tempFolder = useTempFolders();

function write(name: string, bytes: Buffer | string): string {
  const file = path.join(tempFolder('hostile'), name);
  writeFileSync(file, bytes);
  return file;
}

function limitsReached(inspection: Inspection): string[] {
  return inspection.findings.filter((finding) => finding.code === 'inspection.limit').map((finding) => finding.where ?? '');
}

describe('inspection limits on hostile files', () => {
  describe('nesting', () => {
    // Each of these crashed the inspector with "Maximum call stack size exceeded".
    const deep: [string, string][] = [
      ['arrays in __metadata__', `{"__metadata__":{"a":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`],
      ['objects in __metadata__', `{"__metadata__":{"a":${'{"b":'.repeat(30_000)}1${'}'.repeat(30_000)}}}`],
      ['a tensor entry nested in itself', `{"w":${'{"w":['.repeat(9_000)}0${']}'.repeat(9_000)}}`],
    ];
    for (const [what, header] of deep) {
      it(`records a safetensors header nested without end (${what}) as a depth limit`, async () => {
        const inspection = await inspectArtifact(write('deep.safetensors', safetensorsWithHeader(header)));
        assert.equal(inspection.format, 'safetensors');
        assert.deepEqual(limitsReached(inspection), ['limit depth']);
      });
    }

    it('reads 200,000 packed ONNX dimensions without a stack overflow, and keeps the record small', async () => {
      const dims = Buffer.concat(Array.from({ length: 200_000 }, () => proto.varint(1)));
      const graph = proto.bytes(5, [proto.bytes(1, dims), proto.int(2, 1), proto.bytes(8, 'w')]);
      const inspection = await inspectArtifact(write('dims.onnx', Buffer.concat([proto.int(1, 8), proto.bytes(7, graph)])));
      assert.equal(inspection.parameterCount, 1);
      assert.ok(Buffer.byteLength(JSON.stringify(inspection)) <= 64 * 1024);
      assert.deepEqual(limitsReached(inspection), ['limit recordedBytes']);
    });

    it('stops at the depth limit in ONNX subgraphs nested in If nodes', async () => {
      // then_branch (attribute g) of an If whose branch holds another If …, 200 deep.
      let graph = proto.bytes(1, [proto.bytes(4, 'Relu')]);
      for (let i = 0; i < 200; i++) graph = proto.bytes(1, [proto.bytes(4, 'If'), proto.bytes(5, [proto.bytes(1, 'then_branch'), proto.bytes(6, graph)])]);
      const inspection = await inspectArtifact(write('nested.onnx', Buffer.concat([proto.int(1, 8), proto.bytes(7, graph)])));
      assert.equal(inspection.format, 'onnx');
      assert.deepEqual(limitsReached(inspection), ['limit depth']);
    });

    it('stops a Keras config nested without end at the depth limit', async () => {
      const config = `{"class_name":"Sequential","config":{"layers":[${'['.repeat(50_000)}${']'.repeat(50_000)}]}}`;
      const inspection = await inspectArtifact(write('deep.keras', zipBytes({ 'config.json': config })));
      assert.equal(inspection.format, 'keras');
      assert.deepEqual(limitsReached(inspection), ['limit depth']);
    });
  });

  describe('memory', () => {
    it('stops a 40 KB .keras whose config.json inflates to 20 MB of objects at the size limit', async () => {
      // Took 1 GB of memory and 11 s: the whole config was inflated and parsed into millions of objects.
      const config = Buffer.from(`{"class_name":"Sequential","config":{"layers":[${'{},'.repeat(7_000_000)}{}]}}`);
      const file = write('bomb.keras', deflatedZipBytes('config.json', config));
      const inspection = await inspectArtifact(file);
      assert.equal(inspection.format, 'keras');
      assert.deepEqual(limitsReached(inspection), ['limit readBytes']);
    });

    it('stops a config.json of a million values at the entries limit', async () => {
      const config = Buffer.from(`{"class_name":"Sequential","config":{"layers":[${'0,'.repeat(1_200_000)}0]}}`);
      const inspection = await inspectArtifact(write('many.keras', deflatedZipBytes('config.json', config)));
      assert.deepEqual(limitsReached(inspection), ['limit entries']);
    });

    it('stops a GGUF of endless metadata keys at the entries limit, keeping a bounded summary', async () => {
      const metadata = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key.${i}`, { type: 'u32' as const, value: i }]));
      const file = write('keys.gguf', ggufBytes(metadata, []));
      const full = await inspectArtifact(file);
      // All 5000 keys read, 32 shown, the count said.
      assert.equal(full.summary.metadataKeys, 5000);
      assert.equal(Object.keys(full.summary).filter((key) => key.startsWith('metadata.key.')).length, 32);
      const limited = await inspectArtifact(file, { entries: 1000 });
      assert.deepEqual(limitsReached(limited), ['limit entries']);
      assert.equal(limited.format, 'gguf');
    });

    it('bounds a zip bomb in a PyTorch checkpoint by the bytes it may inflate', async () => {
      // A pickle of 8 MB of NONE/POP pairs deflates to a few KB; the limit here is 1 MiB.
      const pickle = Buffer.concat([Buffer.from([0x80, 0x02]), Buffer.alloc(8 * 1024 * 1024, 'N0'), Buffer.from('N.')]);
      const file = write('bomb.pt', deflatedZipBytes('archive/data.pkl', pickle));
      const inspection = await inspectArtifact(file, { readBytes: 1024 * 1024 });
      assert.equal(inspection.format, 'pytorch');
      assert.deepEqual(limitsReached(inspection), ['limit readBytes']);
    });

    it('stops an inspection that runs out of time', async () => {
      const metadata = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`key.${i}`, { type: 'u32' as const, value: i }]));
      // A deadline already past: the first read finds it, whatever the machine's speed.
      const inspection = await inspectArtifact(write('slow.gguf', ggufBytes(metadata, [])), { milliseconds: -1 });
      assert.deepEqual(limitsReached(inspection), ['limit milliseconds']);
    });
  });

  describe('what is recorded', () => {
    it('records an ONNX signature of endless dimensions in at most 64 KB, and registration and show work', async () => {
      // Graph inputs of endless dimensions made inspections of megabytes (19 MB manifests from 1 MB files).
      const dims = Array.from({ length: 4_000 }, () => 'x');
      const graph = Buffer.concat(Array.from({ length: 8 }, (_, i) => onnxValueInfo(11, { name: `in${i}`, elemType: 1, dims })));
      const file = write('wide.onnx', Buffer.concat([proto.int(1, 8), proto.bytes(7, graph)]));
      const inspection = await inspectArtifact(file);
      assert.ok(Buffer.byteLength(JSON.stringify(inspection)) <= 64 * 1024, `${Buffer.byteLength(JSON.stringify(inspection))} bytes`);
      assert.deepEqual(limitsReached(inspection), ['limit recordedBytes']);
      assert.equal(inspection.summary.signatureInputs, 8);
      const registry = await Registry.open({ folder: path.join(tempFolder('hostile-registry'), '.modelregistry'), actor: 'alice@example.com' });
      try {
        const version = await registry.register({ model: 'wide', paths: [file], git: null });
        const { manifest } = registry.version(`wide/${version.number}`);
        assert.ok(canonicalJson(manifest).length < 80 * 1024);
      } finally {
        await registry.close();
      }
    });

    it('records NaN and infinities from a GGUF header as strings, so registration succeeds', async () => {
      const file = write('nan.gguf', ggufBytes({ 'general.architecture': { type: 'string', value: 'llama' }, 'x.nan': { type: 'f32', value: NaN }, 'x.inf': { type: 'f64', value: -Infinity } }, []));
      const inspection = await inspectArtifact(file);
      assert.equal(inspection.summary['metadata.x.nan'], 'NaN');
      assert.equal(inspection.summary['metadata.x.inf'], '-Infinity');
      const registry = await Registry.open({ folder: path.join(tempFolder('nan-registry'), '.modelregistry'), actor: 'alice@example.com' });
      try {
        const version = await registry.register({ model: 'nan', paths: [file], git: null });
        assert.equal(registry.version(`nan/${version.number}`).manifest.artifacts[0].inspection?.summary['metadata.x.nan'], 'NaN');
      } finally {
        await registry.close();
      }
    });
  });

  describe('files that are not regular files', function () {
    // Named pipes and sockets are POSIX; Windows has neither in the file system.
    if (process.platform === 'win32') return;
    this.timeout(10_000);

    const refused = async (file: string, kind: RegExp): Promise<void> => {
      await assert.rejects(inspectArtifact(file), (error) => {
        assert.ok(isRegistryError(error, 'INVALID_INPUT'), String(error));
        assert.match(error.message, kind);
        assert.ok(error.message.startsWith(file), error.message);
        return true;
      });
    };

    it('refuses a FIFO before reading from it (it used to hang forever), and a link to one', async () => {
      const folder = tempFolder('fifo');
      const fifo = path.join(folder, 'model.safetensors');
      execFileSync('mkfifo', [fifo]);
      await refused(fifo, /is a FIFO \(named pipe\), not a regular file/);
      const link = path.join(folder, 'model.onnx');
      symlinkSync(fifo, link);
      await refused(link, /is a FIFO/);
    });

    it('refuses a socket and a character device', async () => {
      const socketPath = path.join(tempFolder('socket'), 'model.gguf');
      const server = net.createServer().listen(socketPath);
      await new Promise((resolve) => server.once('listening', resolve));
      try {
        await refused(socketPath, /is a socket/);
      } finally {
        server.close();
      }
      await refused('/dev/zero', /is a character device/);
    });
  });
});
