import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI_V8_FLAGS } from '../../src/cli/cliV8Flags';
import { median, printTable, verdict } from './benchTable';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const WASM = path.resolve(__dirname, '..', '..', 'dist', 'sql-wasm.wasm');

/**
 * The least a read can cost while the registry is a SQLite file read through sql.js: load sql.js,
 * open the registry's snapshot and run one query, under mreg's V8 flags, and nothing else (no
 * commander, no registry code, no op log). The ratio it shows is the floor under `mreg models`.
 */
const SQL_JS_ALONE = `
const fs = require('node:fs');
require(${JSON.stringify(require.resolve('sql.js'))})({ wasmBinary: fs.readFileSync(process.argv[1]) }).then((SQL) => {
  const db = new SQL.Database(fs.readFileSync(process.argv[2]));
  process.stdout.write(JSON.stringify(db.exec('SELECT name FROM models ORDER BY name')) + '\\n');
  db.close();
});
`;

/** Wall seconds of one synchronous run. */
function wall(args: string[], cwd: string): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function spread(values: number[], digits = 2): string {
  return `${Math.min(...values).toFixed(digits)}–${median(values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

/**
 * How fast `mreg` starts for the read-only commands a CI script calls, against bare node starts run
 * pair by pair in this process: `mreg models` on a one-version registry vs `node -e 0`, and a loop
 * of 100 `mreg resolve` vs 100 `node -e 0`, each pair repeated so a noisy machine shows as a range.
 */
export function benchCliStartup(rounds = Number(process.env.BENCH_CLI_ROUNDS ?? 5)): void {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-cli-'));
  try {
    const registry = path.join(dir, 'registry');
    writeFileSync(path.join(dir, 'model.onnx'), 'weights');
    execFileSync(process.execPath, [CLI, '--registry', registry, 'register', 'fraud', 'model.onnx', '--metric', 'accuracy=0.9', '--json'], { cwd: dir, stdio: 'ignore' });
    const mreg = (...args: string[]) => [CLI, '--registry', registry, ...args];
    const snapshots = path.join(registry, 'snapshots');
    const snapshot = path.join(snapshots, readdirSync(snapshots).sort().pop()!);

    const commands: [string, string[]][] = [
      ['mreg models', mreg('models')],
      ['mreg versions fraud', mreg('versions', 'fraud')],
      ['mreg show fraud/1', mreg('show', 'fraud/1')],
      ['mreg resolve fraud/1', mreg('resolve', 'fraud/1')],
      ['mreg search', mreg('search', 'metrics.accuracy > 0.5')],
      ['mreg status', mreg('status')],
      // Where the time goes: loading the CLI without opening a registry, and a read with nothing but sql.js.
      ['mreg --version (the CLI loaded, no registry)', [CLI, '--version']],
      ['(sql.js alone: open the snapshot, one query)', [...CLI_V8_FLAGS, '-e', SQL_JS_ALONE, WASM, snapshot]],
    ];
    const rows: string[][] = [];
    for (const [name, args] of commands) {
      const ratios: number[] = [];
      const ours: number[] = [];
      for (let round = 0; round < rounds * 2; round++) {
        const node = wall(['-e', '0'], dir);
        const seconds = wall(args, dir);
        ours.push(seconds);
        ratios.push(seconds / node);
      }
      const target = name === 'mreg models' ? '≤ 1.5×' : '';
      rows.push([name, spread(ours.map((s) => s * 1000), 0), spread(ratios), target, target ? verdict(median(ratios) <= 1.5) : '']);
    }

    const loopRatios: number[] = [];
    const loops: number[] = [];
    for (let round = 0; round < rounds; round++) {
      let node = 0;
      let ours = 0;
      for (let call = 0; call < 100; call++) {
        node += wall(['-e', '0'], dir);
        ours += wall(mreg('resolve', 'fraud/1'), dir);
      }
      loops.push(ours);
      loopRatios.push(ours / node);
    }
    rows.push(['100 × mreg resolve (s)', spread(loops), spread(loopRatios), '≤ 2×', verdict(median(loopRatios) <= 2)]);
    printTable(
      `mreg start-up on a one-version registry, against node -e 0 started right before each call (${rounds * 2} pairs; the loop ${rounds} times)`,
      ['command', 'ms min–median–max', '÷ node -e 0 min–median–max', 'target', 'verdict'],
      rows,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
