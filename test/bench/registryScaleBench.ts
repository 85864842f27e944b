import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ulid } from 'ulid';
import { GENESIS_HASH, sealEvents, type EventDraft } from '../../src/core/events';
import { manifestBytes, type Manifest } from '../../src/core/manifest';
import { OpLog } from '../../src/store/persistence/opLog';
import { Registry } from '../../src/registry/registry';
import { FOLDER_FORMAT } from '../../src/store/registryFolder';
import { sha256Hex } from '../../src/core/sha256';
import { printTable, verdict } from './benchTable';

const LIB = path.resolve(__dirname, '..', '..', 'dist', 'lib.js');
/** The same measurement as a library user's process sees it, and as mreg's does (it sets --liftoff-only). */
const PROCESSES = [
  { label: 'a library process (default V8 settings)', flags: [] as string[] },
  { label: 'an mreg process (--liftoff-only, as the CLI sets it)', flags: ['--liftoff-only'] },
];
const METRICS = 10;
const PARAMS = 10;

function manifestFor(seed: number): Manifest {
  const metrics: Manifest['metrics'] = {};
  const params: Manifest['lineage']['params'] = {};
  for (let k = 0; k < METRICS; k++) metrics[`metric_${k}`] = { value: Math.random(), direction: 'max' };
  for (let k = 0; k < PARAMS; k++) params[`param_${k}`] = k % 2 ? Math.round(Math.random() * 1000) / 1000 : `value-${seed % 97}`;
  return {
    schemaVersion: 1,
    artifacts: [{ path: 'model.onnx', size: 1_000_000 + seed, sha256: randomBytes(32).toString('hex'), mediaType: 'application/onnx' }],
    lineage: { git: { commit: randomBytes(20).toString('hex'), branch: 'main' }, data: [], params, environment: {} },
    metrics,
    source: { inputs: ['model.onnx'] },
  };
}

/**
 * Writes a registry of `models × perModel` versions the way registrations would have: sealed,
 * hash-chained events in the op log and each manifest as a blob. (Registering them one by one
 * would cost one fsync each; the bytes on disk are the same.)
 */
export function generate(folder: string, models: number, perModel: number | ((model: number) => number)): void {
  const versionsOf = typeof perModel === 'number' ? () => perModel : perModel;
  let seed = 0;
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'registry.json'), JSON.stringify({ format: FOLDER_FORMAT }));
  const fd = openSync(path.join(folder, 'oplog.jsonl'), 'w');
  let after = { seq: 0, hash: GENESIS_HASH };
  try {
    for (let m = 0; m < models; m++) {
      const model = `model-${String(m).padStart(4, '0')}`;
      const drafts: EventDraft[] = [{ type: 'model.created', model, payload: {} }];
      const count = versionsOf(m);
      for (let n = 1; n <= count; n++) {
        const manifest = manifestFor(++seed);
        const bytes = manifestBytes(manifest);
        const fingerprint = sha256Hex(bytes);
        const blobDir = path.join(folder, 'blobs', 'sha256', fingerprint.slice(0, 2));
        mkdirSync(blobDir, { recursive: true });
        writeFileSync(path.join(blobDir, fingerprint), bytes);
        drafts.push({ type: 'version.registered', model, version: n, payload: { id: ulid(), stage: n === count ? 'Production' : 'None', tags: {}, fingerprint, manifest } });
      }
      // One line per model: a line is one atomic batch of events, whatever its size.
      const events = sealEvents(drafts, after, 'bench@example.com');
      after = { seq: events[events.length - 1].seq, hash: events[events.length - 1].hash };
      writeSync(fd, OpLog.encode(events));
    }
  } finally {
    closeSync(fd);
  }
}

/** Runs in a fresh node with the shipped library: what a user's process sees. */
const MEASURE = `
const { Registry } = require(process.argv[1]);
const fs = require('node:fs'), path = require('node:path');
const folder = process.argv[2], work = process.argv[3];
const ms = (start) => performance.now() - start;
(async () => {
  let t = performance.now();
  const registry = await Registry.open({ folder, projectRoot: work });
  const open = ms(t);
  fs.writeFileSync(path.join(work, 'new.onnx'), 'a new small model ' + Date.now());
  t = performance.now();
  await registry.register({ model: process.argv[4], paths: [path.join(work, 'new.onnx')], metrics: { metric_3: 0.5 } });
  const register = ms(t);
  const list = [], filter = [];
  for (let i = 0; i < 20; i++) {
    t = performance.now(); const versions = registry.versions(process.argv[4]); list.push(ms(t));
    if (versions.length <= ${'${PER_MODEL}'}) throw new Error('unexpected version count ' + versions.length);
    t = performance.now(); registry.versionsByMetric('metric_3', { min: 0.99, limit: 50 }); filter.push(ms(t));
  }
  const rss = process.memoryUsage().rss, maxRss = process.resourceUsage().maxRSS * 1024;
  await registry.close();
  console.log(JSON.stringify({ open, register, list, filter, rss, maxRss }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

export async function benchRegistryScale(totalVersions: number): Promise<void> {
  const perModel = 100;
  const models = Math.max(1, Math.round(totalVersions / perModel));
  const root = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-scale-'));
  try {
    const folder = path.join(root, '.modelregistry');
    let started = performance.now();
    generate(folder, models, perModel);
    const generateSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const registry = await Registry.open({ folder, actor: 'bench@example.com' });
    registry.checkpoint();
    await registry.close();
    const rebuildSeconds = (performance.now() - started) / 1000;
    const snapshot = readdirSync(path.join(folder, 'snapshots')).find((name) => name.endsWith('.sqlite'))!;
    const sizes = {
      oplog: statSync(path.join(folder, 'oplog.jsonl')).size,
      snapshot: statSync(path.join(folder, 'snapshots', snapshot)).size,
    };

    // Let the generator's ~300 MB of writes reach the disk: otherwise the first fsync measured
    // waits for all of them (ext4 commits its journal in order).
    execFileSync('sync');
    const script = MEASURE.replace('${PER_MODEL}', String(perModel));
    const middle = `model-${String(Math.floor(models / 2)).padStart(4, '0')}`;
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const med = (values: number[]) => sorted(values)[Math.floor(values.length / 2)];
    const mib = (bytes: number) => (bytes / 1048576).toFixed(0);
    const ms = (value: number) => value.toFixed(value < 10 ? 2 : 0);

    printTable(
      `A registry of ${models * perModel} versions (${models} models × ${perModel}, ${METRICS} metrics and ${PARAMS} params each)`,
      ['what', 'value'],
      [
        ['generate op log + manifests', `${generateSeconds.toFixed(1)} s`],
        ['first open: full replay + snapshot', `${rebuildSeconds.toFixed(1)} s`],
        ['op log size', `${mib(sizes.oplog)} MiB`],
        ['snapshot size', `${mib(sizes.snapshot)} MiB`],
      ],
    );
    for (const { label, flags } of PROCESSES) {
      const runs = [0, 1, 2].map(
        () =>
          JSON.parse(execFileSync(process.execPath, [...flags, '-e', script, LIB, folder, root, middle], { encoding: 'utf8' })) as {
            open: number;
            register: number;
            list: number[];
            filter: number[];
            rss: number;
            maxRss: number;
          },
      );
      // Median process of three by open time; queries: the first call (cold statements), then median and max of the rest.
      const run = [...runs].sort((a, b) => a.open - b.open)[1];
      const queryCell = (values: number[]) => `${ms(values[0])} / ${ms(med(values.slice(1)))} / ${ms(Math.max(...values.slice(1)))} ms`;
      printTable(
        `Measured in ${label}, using dist/lib.js (median of 3 processes)`,
        ['operation', 'measured', 'target', 'verdict'],
        [
          ['open (read + checksum snapshot, replay newer events)', `${ms(run.open)} ms`, '< 300 ms', verdict(run.open < 300)],
          ['register one version (git capture, fsync)', `${ms(run.register)} ms`, '< 50 ms', verdict(run.register < 50)],
          ["list one model's versions: first / median / max", queryCell(run.list), '< 20 ms', verdict(Math.max(...run.list) < 20)],
          ['metric filter, top 50: first / median / max', queryCell(run.filter), '< 20 ms', verdict(Math.max(...run.filter) < 20)],
          ['process memory: RSS at end / peak', `${mib(run.rss)} / ${mib(run.maxRss)} MiB`, '< 300 MB', verdict(run.maxRss < 300 * 1e6)],
        ],
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
