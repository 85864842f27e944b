import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, MREG, mreg, mregAsync } from '../support/mregProcess';
import { useTempFolders } from '../support/tempFolders';

const tempFolder = useTempFolders();
const TRIALS = 60;

interface Registered {
  version: number;
  fingerprint: string;
}

/** Starts `mreg register` and SIGKILLs it after `delayMs`; resolves with its output if it finished first. */
function registerAndKill(cwd: string, args: string[], delayMs: number): Promise<Registered | undefined> {
  const child = spawn(process.execPath, [MREG, 'register', ...args, '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
  return new Promise((resolve) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      // Acknowledged = the command reported success; anything else may or may not have landed.
      resolve(status === 0 ? (JSON.parse(stdout) as Registered) : undefined);
    }),
  );
}

describe('crash safety', function () {
  // Sixty writer processes, each capturing lineage: minutes on a loaded 2-core machine. A limit, not a speed target.
  this.timeout(600_000);
  it(`never loses an acknowledged version nor leaves an unreadable registry when writers are SIGKILLed (${TRIALS} trials)`, async () => {
    const cwd = tempFolder('crash');
    const acknowledged = new Map<number, string>();
    let killed = 0;
    // Kill moments spread over one registration's whole life, measured here rather than assumed,
    // so that a slow or busy machine still sees kills in every phase and some writers finishing.
    writeFileSync(path.join(cwd, 'calibration.bin'), randomBytes(3 * 1024 * 1024));
    const started = Date.now();
    assert.equal(mreg(['register', 'calibration', 'calibration.bin'], { cwd }).status, 0);
    // The machine's speed drifts (other work, a growing registry): the estimate follows what the
    // trials show, stretching after a kill and shrinking after a finish, so both keep happening.
    let lifetime = Date.now() - started;
    for (let trial = 0; trial < TRIALS; trial++) {
      // Files of varying size, so kills land while hashing, copying, appending and snapshotting.
      const file = path.join(cwd, `weights-${trial}.bin`);
      writeFileSync(file, randomBytes(Math.floor(Math.random() * 6 * 1024 * 1024)));
      const result = await registerAndKill(cwd, ['m', file, '--metric', `trial=${trial}`], lifetime * (0.2 + Math.random() * 1.2));
      if (result) {
        acknowledged.set(result.version, result.fingerprint);
        lifetime *= 0.9;
      } else {
        killed += 1;
        lifetime *= 1.15;
      }

      const listing = mreg(['versions', 'm', '--json'], { cwd });
      if (acknowledged.size === 0 && listing.status === 1) continue; // nothing landed yet: no model is a fine answer
      assert.equal(listing.status, 0, `trial ${trial}: the registry did not open: ${listing.stderr}`);
      const versions = json<{ number: number; fingerprint: string }[]>(listing);
      const byNumber = new Map(versions.map((version) => [version.number, version.fingerprint]));
      for (const [number, fingerprint] of acknowledged) {
        assert.equal(byNumber.get(number), fingerprint, `trial ${trial}: acknowledged version m/${number} is missing or changed`);
      }
      const numbers = versions.map((version) => version.number).sort((a, b) => a - b);
      assert.deepEqual(numbers, numbers.map((_, index) => index + 1), `trial ${trial}: version numbers have gaps or duplicates`);
    }
    assert.ok(killed >= 10, `only ${killed} of ${TRIALS} writers were killed mid-way; the test did not exercise crashes`);
    assert.ok(acknowledged.size >= 5, `only ${acknowledged.size} of ${TRIALS} writers finished; the test did not exercise acknowledgements`);
    const verify = mreg(['verify', '--json'], { cwd });
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  });
});

describe('concurrent writers', () => {
  it('gives every registration from parallel processes its own number and loses none', async () => {
    const cwd = tempFolder('concurrent');
    const PROCESSES = 4;
    const EACH = 6;
    for (let p = 0; p < PROCESSES; p++) for (let i = 0; i < EACH; i++) writeFileSync(path.join(cwd, `w-${p}-${i}.bin`), `weights ${p} ${i}`);
    const results = await Promise.all(
      Array.from({ length: PROCESSES }, async (_, p) => {
        const registered: Registered[] = [];
        for (let i = 0; i < EACH; i++) {
          const result = await mregAsync(['register', i % 2 ? 'shared' : `own-${p}`, `w-${p}-${i}.bin`, '--json'], { cwd });
          assert.equal(result.status, 0, result.stderr);
          registered.push(json<Registered>(result));
        }
        return registered;
      }),
    );
    const shared = json<{ number: number; fingerprint: string }[]>(mreg(['versions', 'shared', '--json'], { cwd }));
    assert.deepEqual(shared.map((v) => v.number).sort((a, b) => a - b), Array.from({ length: (PROCESSES * EACH) / 2 }, (_, i) => i + 1));
    const sharedFingerprints = new Set(shared.map((v) => v.fingerprint));
    for (const registered of results) for (const [i, version] of registered.entries()) if (i % 2) assert.ok(sharedFingerprints.has(version.fingerprint));
    for (let p = 0; p < PROCESSES; p++) assert.equal(json<unknown[]>(mreg(['versions', `own-${p}`, '--json'], { cwd })).length, EACH / 2);
    assert.equal(mreg(['verify'], { cwd }).status, 0);
  });
});
