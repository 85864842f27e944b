import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Registry } from '../../src/registry/registry';
import { median, printTable, verdict } from './benchTable';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const GIB = 1024 ** 3;

/** Runs a command under GNU time: wall seconds and peak resident memory. */
export function timed(command: string, args: string[], cwd: string): { seconds: number; peakMiB: number; stdout: string } {
  // Start each measurement with no dirty pages left over from the one before.
  execFileSync('sync');
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', command, ...args], { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  const [seconds, kib] = result.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  return { seconds, peakMiB: kib / 1024, stdout: result.stdout };
}

const REPEATS = 3;

/**
 * The median of three runs (peak memory: the largest). On these VMs the first write into memory
 * the host has taken back costs 1.5–3 s of kernel time per GiB, so a single run mostly measures that.
 */
export function repeated(run: (attempt: number) => { seconds: number; peakMiB: number; stdout: string }): { seconds: number; peakMiB: number; stdout: string; all: number[] } {
  const runs = Array.from({ length: REPEATS }, (_, attempt) => run(attempt));
  return { seconds: median(runs.map((r) => r.seconds)), peakMiB: Math.max(...runs.map((r) => r.peakMiB)), stdout: runs[0].stdout, all: runs.map((r) => r.seconds) };
}

/** Random blocks, each made different, so no filesystem can shortcut the copy. */
export function makeFile(file: string, bytes: number): void {
  const block = randomFillSync(Buffer.alloc(64 * 1024 * 1024));
  const fd = openSync(file, 'w');
  try {
    for (let written = 0, index = 0; written < bytes; index++) {
      block.writeUInt32LE(index, 0);
      const length = Math.min(block.length, bytes - written);
      writeSync(fd, block, 0, length);
      written += length;
    }
  } finally {
    closeSync(fd);
  }
}

/** Registers in-process while a 1 ms timer runs: the longest the event loop was held, as the extension host would feel it. */
async function eventLoopStall(file: string, dir: string): Promise<{ stallMs: number; freshMs: number; unchangedMs: number }> {
  const registry = await Registry.open({ folder: path.join(dir, 'in-process'), actor: 'bench@example.com' });
  try {
    let last = performance.now();
    let stallMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      stallMs = Math.max(stallMs, now - last);
      last = now;
    }, 1);
    let started = performance.now();
    await registry.register({ model: 'stall', paths: [file], metrics: { run: 1 }, git: null });
    const freshMs = performance.now() - started;
    clearInterval(timer);
    started = performance.now();
    await registry.register({ model: 'stall', paths: [file], metrics: { run: 2 }, git: null });
    return { stallMs, freshMs, unchangedMs: performance.now() - started };
  } finally {
    await registry.close();
  }
}

/** Whether `git lfs` is installed here (the comparison is skipped, and says so, when it is not). */
function gitLfsInstalled(): boolean {
  return spawnSync('git', ['lfs', 'version'], { encoding: 'utf8' }).status === 0;
}

/** A git repository tracking `*.bin` with LFS, holding (a hard link to) the model file. */
function lfsRepository(folder: string, file: string): string {
  mkdirSync(folder, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: folder, stdio: 'ignore' });
  git('init', '-q');
  git('lfs', 'install', '--local');
  git('lfs', 'track', '*.bin');
  linkSync(file, path.join(folder, path.basename(file)));
  return folder;
}

/** Undoes a `git add` of the model file, LFS object included, for the next round. */
function unstage(repository: string, file: string): void {
  // -f: the index holds the LFS pointer, which differs from the file and (no commit) from HEAD, and git refuses that unforced when a racy stat makes it look.
  execFileSync('git', ['rm', '--cached', '-f', '-q', path.basename(file)], { cwd: repository, stdio: 'ignore' });
  rmSync(path.join(repository, '.git', 'lfs', 'objects'), { recursive: true, force: true });
}

/**
 * Waits until the file's last change is over 2 s old. mreg copies a file changed more recently
 * through user space (its stat could miss a write in the same timestamp tick); a model file
 * registered from a training run written minutes ago takes the kernel copy measured here.
 */
async function settle(file: string): Promise<void> {
  const { mtimeMs, ctimeMs } = statSync(file);
  const wait = Math.max(mtimeMs, ctimeMs) + 2100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** min–median–max of ratios, e.g. "0.98–1.05–1.31". */
function spread(ratios: number[]): string {
  return `${Math.min(...ratios).toFixed(2)}–${median(ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
}

const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);

export async function benchFileRegistration(sizesGiB: number[]): Promise<void> {
  const withLfs = gitLfsInstalled();
  for (const sizeGiB of sizesGiB) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'mreg-bench-files-'));
    try {
      const file = path.join(dir, 'weights.bin');
      makeFile(file, Math.round(sizeGiB * GIB));
      const copy = path.join(dir, 'copy.bin');
      const repository = withLfs ? lfsRepository(path.join(dir, 'lfs'), file) : undefined;
      await settle(file);
      const expected = timed('openssl', ['dgst', '-sha256', file], dir).stdout.trim().split(/\s+/).pop();
      // Interleaved: each round runs every peer right before ours, so a noisy neighbour slows both
      // sides of a pair and shows as a wide range of ratios rather than a wrong verdict.
      const rounds: { ours: number; cpSync: number; opensslCpSync: number; hashOnly: number; lfs?: number; peakMiB: number }[] = [];
      for (let round = 0; round < PAIRS; round++) {
        rmSync(copy, { force: true });
        const cpSync = timed('sh', ['-c', `cp "${file}" "${copy}" && sync "${copy}"`], dir).seconds;
        rmSync(copy, { force: true });
        const opensslCpSync = timed('sh', ['-c', `openssl dgst -sha256 "${file}" >/dev/null && cp "${file}" "${copy}" && sync "${copy}"`], dir).seconds;
        rmSync(copy, { force: true });
        // The floor: SHA-256 runs on one core, so no registration can take less than hashing alone.
        const hashOnly = timed('openssl', ['dgst', '-sha256', file], dir).seconds;
        let lfs: number | undefined;
        if (repository) {
          lfs = timed('git', ['add', path.basename(file)], repository).seconds;
          unstage(repository, file);
        }
        const registry = path.join(dir, `registry-${round}`);
        const register = timed(process.execPath, [CLI, '--registry', registry, 'register', 'bench-model', file, '--metric', 'run=1', '--json'], dir);
        const registered = (JSON.parse(register.stdout) as { artifacts: { sha256: string }[] }).artifacts[0].sha256;
        if (registered !== expected) throw new Error(`registered sha256 ${registered} differs from openssl's ${expected}`);
        rmSync(registry, { recursive: true, force: true });
        rounds.push({ ours: register.seconds, cpSync, opensslCpSync, hashOnly, lfs, peakMiB: register.peakMiB });
      }
      const ours = rounds.map((round) => round.ours);
      const peakMiB = Math.max(...rounds.map((round) => round.peakMiB));
      const seconds = (values: number[]) => `${median(values).toFixed(2)} (${values.map((value) => value.toFixed(2)).join(' ')})`;
      const pairRow = (peer: string, peerSeconds: number[], target: string, met: (medianRatio: number) => boolean) => {
        const ratios = ours.map((value, index) => value / peerSeconds[index]);
        return [peer, seconds(peerSeconds), spread(ratios), target, verdict(met(median(ratios)))];
      };
      // A peer shown for comparison, with no target of its own.
      const referenceRow = (peer: string, peerSeconds: number[]) => pairRow(peer, peerSeconds, '', () => true).map((cell, column) => (column === 4 ? '' : cell));
      const rows = [
        pairRow('cp + sync', rounds.map((round) => round.cpSync), '≤ 1.2×', (ratio) => ratio <= 1.2),
        referenceRow('openssl dgst -sha256 + cp + sync', rounds.map((round) => round.opensslCpSync)),
      ];
      const hashOnly = rounds.map((round) => round.hashOnly);
      rows.push(referenceRow('openssl dgst -sha256 alone (the floor)', hashOnly));
      const floorOverCopy = hashOnly.map((value, index) => value / rounds[index].cpSync);
      if (withLfs) rows.push(pairRow('git lfs (git add of a tracked file)', rounds.map((round) => round.lfs!), '≤ 0.15×', (ratio) => ratio <= 0.15));
      printTable(
        `Registering a ${sizeGiB} GiB file, ${PAIRS} interleaved pairs (file in page cache, last changed > 2 s before; sha256 matches openssl). mreg register: ${seconds(ours)} s, peak RSS ${peakMiB.toFixed(0)} MiB (target < 100 MB: ${verdict(peakMiB * 1024 * 1024 < 100e6)})`,
        ['peer', 'peer s, median (all)', 'mreg ÷ peer min–median–max', 'target', 'verdict'],
        rows,
      );
      if (!withLfs) console.log('  git lfs is not installed here: that comparison was skipped.');
      console.log(`  hashing alone takes ${spread(floorOverCopy)}× cp + sync here (min–median–max): a target below that is beyond what one core's SHA-256 allows.`);

      const registry0 = path.join(dir, 'registry-unchanged');
      timed(process.execPath, [CLI, '--registry', registry0, 'register', 'bench-model', file, '--metric', 'run=1', '--json'], dir);
      const unchanged = repeated((attempt) => timed(process.execPath, [CLI, '--registry', registry0, 'register', 'bench-model', file, '--metric', `run=${attempt + 2}`, '--json'], dir));
      const inProcess = await eventLoopStall(file, dir);
      console.log(`  unchanged re-register (stat cache): ${unchanged.seconds.toFixed(2)} s, including starting node (${nodeStartup().toFixed(2)} s for an empty script here).`);
      console.log(
        `  in-process (library API): register ${(inProcess.freshMs / 1000).toFixed(2)} s, unchanged re-register ${inProcess.unchangedMs.toFixed(1)} ms; ` +
          `longest event-loop stall while hashing and copying ${inProcess.stallMs.toFixed(1)} ms.`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function nodeStartup(): number {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - started) / 1e9;
}
