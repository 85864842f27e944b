import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpLog } from '../../src/store/persistence/opLog';
import { Registry } from '../../src/registry/registry';
import { RegistryFolder } from '../../src/store/registryFolder';
import { batchKey, EMPTY_REMOTE, encodeBatch } from '../../src/sync/logBatch';
import { SyncStateFile } from '../../src/sync/syncState';
import { median, printTable } from './benchTable';
import { generate } from './registryScaleBench';

const LIB = path.resolve(__dirname, '..', '..', 'dist', 'lib.js');

/** One client's side, in a fresh node with the shipped library: optionally register one version, then sync. */
const MEASURE = `
const { Registry, openSyncService } = require(process.argv[1]);
const fs = require('node:fs'), path = require('node:path');
const [folder, work, model] = process.argv.slice(2);
(async () => {
  const registry = await Registry.open({ folder, projectRoot: work, actor: 'bench@example.com' });
  if (model) {
    fs.writeFileSync(path.join(work, 'new.onnx'), 'a new small model ' + Date.now() + Math.random());
    await registry.register({ model, paths: [path.join(work, 'new.onnx')], git: null });
  }
  const service = await openSyncService(registry);
  const started = performance.now();
  const result = await service.sync();
  const ms = performance.now() - started;
  await registry.close();
  console.log(JSON.stringify({ ms, bytesUp: result.bytesUp, bytesDown: result.bytesDown, pushed: result.pushedEvents, pulled: result.pulledEvents }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

interface Measured {
  ms: number;
  bytesUp: number;
  bytesDown: number;
  pushed: number;
  pulled: number;
}

/**
 * Two clients that hold the same registry of `versions` versions, already in sync with a folder
 * store whose log has one batch per model (as if each model had been pushed on its own).
 */
async function prepare(root: string, versions: number): Promise<{ a: string; b: string; store: string; batches: number }> {
  const perModel = 100;
  const models = Math.max(1, Math.round(versions / perModel));
  const a = path.join(root, 'a', '.modelregistry');
  const store = path.join(root, 'store');
  generate(a, models, perModel);
  mkdirSync(path.join(store, 'log'), { recursive: true });
  let head = EMPTY_REMOTE;
  let offset = 0;
  for (const line of new OpLog(path.join(a, 'oplog.jsonl')).linesAfter(0)) {
    const batch = encodeBatch(head, line.events);
    writeFileSync(path.join(store, ...batchKey(batch.head.seq).split('/')), batch.bytes);
    head = batch.head;
    offset = line.endOffset;
  }
  const folder = new RegistryFolder(a);
  writeFileSync(path.join(a, 'config.json'), JSON.stringify({ store }));
  new SyncStateFile(folder).write({ store, remote: head, confirmed: { seq: head.event.seq, hash: head.event.hash, offset }, createOnlyVerified: true });
  const registry = await Registry.open({ folder: a, actor: 'bench@example.com' });
  registry.checkpoint();
  await registry.close();
  const b = path.join(root, 'b', '.modelregistry');
  mkdirSync(b, { recursive: true });
  // Blobs never change: B shares A's files; everything else is B's own copy.
  execFileSync('cp', ['-al', path.join(a, 'blobs'), path.join(b, 'blobs')]);
  for (const item of ['registry.json', 'config.json', 'oplog.jsonl', 'snapshots', 'sync']) execFileSync('cp', ['-a', path.join(a, item), path.join(b, item)]);
  execFileSync('sync');
  return { a, b, store, batches: head.seq };
}

function run(folder: string, model?: string): Measured {
  const args = ['-e', MEASURE, LIB, folder, path.dirname(folder), ...(model ? [model] : [])];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as Measured;
}

export async function benchSync(largeVersions: number): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const versions of [100, largeVersions]) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-sync-'));
    try {
      const { a, b, batches } = await prepare(root, versions);
      const pushes: Measured[] = [];
      const pulls: Measured[] = [];
      for (let round = 0; round < 3; round++) {
        pushes.push(run(a, 'model-0000'));
        pulls.push(run(b));
      }
      const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
      const push = median(pushes.map((m) => m.ms));
      const pull = median(pulls.map((m) => m.ms));
      rows.push([
        `${versions} (${batches} batches, op log ${(statSync(path.join(a, 'oplog.jsonl')).size / 1048576).toFixed(0)} MiB)`,
        `${push.toFixed(1)} ms`,
        kib(median(pushes.map((m) => m.bytesUp + m.bytesDown))),
        `${pull.toFixed(1)} ms`,
        kib(median(pulls.map((m) => m.bytesUp + m.bytesDown))),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  printTable(
    'Syncing one new version through a folder store (median of 3; time of SyncService.sync() alone, after the registry is open)',
    ['registry size (versions)', 'push: time', 'push: bytes moved', 'pull on another client: time', 'pull: bytes moved'],
    rows,
  );
}
