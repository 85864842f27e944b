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
import { CLI_V8_FLAGS } from '../../src/cli/cliV8Flags';
import { printTable, verdict } from './benchTable';

const LIB = path.resolve(__dirname, '..', '..', 'dist', 'lib.js');
/** The same measurement as a library user's process sees it, and as mreg's does (it sets CLI_V8_FLAGS). */
const PROCESSES = [
  { label: 'a library process (default V8 settings)', flags: [] as string[], cli: false },
  { label: `an mreg process (${CLI_V8_FLAGS.join(' ')}, as the CLI sets them)`, flags: CLI_V8_FLAGS, cli: true },
];
const METRICS = 10;
/** Processes measured per setting: a median of several, so a loaded machine shows as a wide range. */
const PROCESS_RUNS = Number(process.env.BENCH_SCALE_PROCESSES ?? 5);

interface Measured {
  open: number;
  register: number;
  list: number[];
  filter: number[];
  rss: number;
  maxRss: number;
  timings: { sqlJsMs: number; snapshotMs: number; snapshotBytes: number; snapshotHashed: boolean; databaseMs: number; replayMs: number; replayedEvents: number };
}
const PARAMS = 10;

function manifestFor(seed: number, data: Manifest['lineage']['data'] = []): Manifest {
  const metrics: Manifest['metrics'] = {};
  const params: Manifest['lineage']['params'] = {};
  for (let k = 0; k < METRICS; k++) metrics[`metric_${k}`] = { value: Math.random(), direction: 'max' };
  for (let k = 0; k < PARAMS; k++) params[`param_${k}`] = k % 2 ? Math.round(Math.random() * 1000) / 1000 : `value-${seed % 97}`;
  return {
    schemaVersion: 1,
    artifacts: [{ path: 'model.onnx', size: 1_000_000 + seed, sha256: randomBytes(32).toString('hex'), mediaType: 'application/onnx' }],
    lineage: { git: { commit: randomBytes(20).toString('hex'), branch: 'main' }, data, params, environment: {} },
    metrics,
    source: { inputs: ['model.onnx'] },
  };
}

/**
 * Writes a registry of `models × perModel` versions the way registrations would have: sealed,
 * hash-chained events in the op log and each manifest as a blob. (Registering them one by one
 * would cost one fsync each; the bytes on disk are the same.)
 */
export function generate(folder: string, models: number, perModel: number | ((model: number) => number), dataOf?: (model: number, version: number) => Manifest['lineage']['data']): void {
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
        const manifest = manifestFor(++seed, dataOf?.(m, n));
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
  // willWrite: as mreg register opens it.
  const registry = await Registry.open({ folder, projectRoot: work, willWrite: true });
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
  // Not resourceUsage().maxRSS: Linux carries the parent's peak across fork and exec into it, so a
  // child of this 300 MB bench process reported 300 MB whatever it used. VmHWM is this process's own.
  const hwm = /^VmHWM:\\s*(\\d+) kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  const rss = process.memoryUsage().rss, maxRss = hwm ? Number(hwm[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
  const timings = registry.loadTimings;
  await registry.close();
  console.log(JSON.stringify({ open, register, list, filter, rss, maxRss, timings }));
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
    for (const { label, flags, cli } of PROCESSES) {
      const measure = () => JSON.parse(execFileSync(process.execPath, [...flags, '-e', script, LIB, folder, root, middle], { encoding: 'utf8' })) as Measured;
      // The first open after a snapshot is written hashes it (and remembers it as verified); later opens read it only.
      const first = measure();
      const runs = Array.from({ length: PROCESS_RUNS }, measure);
      const spread = (values: number[], unit = 'ms', scale = 1) => {
        const sorted = [...values].sort((a, b) => a - b);
        return `${ms(sorted[0] / scale)} / ${ms(med(sorted) / scale)} / ${ms(sorted[sorted.length - 1] / scale)} ${unit}`;
      };
      const of = (pick: (run: Measured) => number) => runs.map(pick);
      const queryCell = (values: number[]) => `${ms(values[0])} / ${ms(med(values.slice(1)))} / ${ms(Math.max(...values.slice(1)))} ms`;
      const medianRun = [...runs].sort((a, b) => a.open - b.open)[Math.floor(runs.length / 2)];
      printTable(
        `Measured in ${label}, using dist/lib.js: ${PROCESS_RUNS} processes, min / median / max (verdicts on the median)`,
        ['operation', 'measured', 'target', 'verdict'],
        [
          ['open, first after a new snapshot (hashes it)', `${ms(first.open)} ms`, '', ''],
          ['open (snapshot verified before; replay newer events)', spread(of((run) => run.open)), '≤ 250 ms', verdict(med(of((run) => run.open)) <= 250)],
          // The target is for mreg; a library process is shown for comparison.
          ['register one version (git capture, fsync)', spread(of((run) => run.register)), cli ? '≤ 40 ms' : '(mreg: ≤ 40 ms)', cli ? verdict(med(of((run) => run.register)) <= 40) : ''],
          ["list one model's versions: first / median / max (median process)", queryCell(medianRun.list), '< 20 ms', verdict(Math.max(...medianRun.list) < 20)],
          ['metric filter, top 50: first / median / max (median process)', queryCell(medianRun.filter), '< 20 ms', verdict(Math.max(...medianRun.filter) < 20)],
          ['process memory: peak RSS', spread(of((run) => run.maxRss), 'MiB', 1048576), '≤ 250 MB', verdict(med(of((run) => run.maxRss)) <= 250e6)],
        ],
      );
      const phase = (pick: (timings: Measured['timings']) => number) => `${ms(med(runs.map((run) => pick(run.timings))))} ms`;
      printTable(
        `Where an open spends its time in ${label} (medians; first open after a new snapshot in the last column)`,
        ['phase', 'verified snapshot', 'new snapshot'],
        [
          ['load and compile sql.js', phase((t) => t.sqlJsMs), `${ms(first.timings.sqlJsMs)} ms`],
          [`read the snapshot (${mib(first.timings.snapshotBytes)} MiB), hashed only when new`, phase((t) => t.snapshotMs), `${ms(first.timings.snapshotMs)} ms`],
          ['hand it to SQLite, check the schema', phase((t) => t.databaseMs), `${ms(first.timings.databaseMs)} ms`],
          [`replay newer op-log events (JSON parse + apply; ${medianRun.timings.replayedEvents} events)`, phase((t) => t.replayMs), `${ms(first.timings.replayMs)} ms`],
          ['the rest (open files, lock, first statements)', `${ms(med(runs.map((run) => run.open - run.timings.sqlJsMs - run.timings.snapshotMs - run.timings.databaseMs - run.timings.replayMs)))} ms`, ''],
        ],
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
