import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from '../../src/registry/registry';
import { writeStoreUri } from '../../src/store/shared/storeConfig';
import { gcEverywhere } from '../../src/sync/storeGarbageCollection';
import { openSyncService } from '../../src/sync/syncService';
import { printTable } from './benchTable';

/**
 * `mreg gc` on a registry syncing with a folder store: `versions` versions of 10 models (one
 * 64 KiB artifact each) pushed, then retention keeps the newest 10 per model and the grace period
 * is 0, so gc deletes the rest and removes their blobs from the store.
 */
export async function benchStoreGc(sizes: number[]): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const versions of sizes) {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-storegc-'));
    try {
      const registry = await Registry.open({ folder: path.join(root, 'project', '.modelregistry'), actor: 'bench@example.com' });
      registry.folder.initialize();
      writeStoreUri(registry.folder, path.join(root, 'store'));
      const file = path.join(root, 'weights.bin');
      for (let index = 0; index < versions; index++) {
        const bytes = Buffer.alloc(64 * 1024, index % 251);
        bytes.writeUInt32LE(index, 0);
        writeFileSync(file, bytes);
        await registry.register({ model: `model-${index % 10}`, paths: [file], git: null, inspect: false });
      }
      const service = (await openSyncService(registry))!;
      const pushStarted = performance.now();
      await service.sync();
      const pushMs = performance.now() - pushStarted;
      service.store.close();
      const policy = { keepLast: 10, blobGraceHours: 0 };
      let started = performance.now();
      const dry = await gcEverywhere(registry, { dryRun: true, policy });
      const dryMs = performance.now() - started;
      started = performance.now();
      const report = await gcEverywhere(registry, { policy });
      const gcMs = performance.now() - started;
      await registry.close();
      rows.push([
        versions,
        `${(pushMs / 1000).toFixed(1)} s`,
        `${dry.store?.removed.count ?? 0} would go`,
        `${dryMs.toFixed(0)} ms`,
        `${report.deleted.length} versions, ${report.store?.removed.count ?? 0} store blobs (${((report.store?.removed.bytes ?? 0) / 1048576).toFixed(1)} MiB)`,
        `${gcMs.toFixed(0)} ms`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  printTable(
    'mreg gc with a folder store (10 models, keep the newest 10 of each, grace 0; gc time includes its syncs)',
    ['versions pushed', 'first push', 'dry run finds', 'dry run', 'gc deletes / removes', 'gc'],
    rows,
  );
}
