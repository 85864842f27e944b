import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { json, mreg } from '../support/mregProcess';
import { useTempFolders, writeFiles } from '../support/tempFolders';

const tempFolder = useTempFolders();

interface Listed {
  number: number;
}

/** A registry with three versions of `m`, one op-log line each after the model's creation; returns the line offsets. */
function threeVersions(): { cwd: string; log: string; snapshots: string; lineStarts: number[] } {
  const cwd = writeFiles(tempFolder('damage'), { 'a.bin': 'first', 'b.bin': 'second', 'c.bin': 'third' });
  for (const file of ['a.bin', 'b.bin', 'c.bin']) assert.equal(mreg(['register', 'm', file], { cwd }).status, 0);
  const log = path.join(cwd, '.modelregistry', 'oplog.jsonl');
  const bytes = readFileSync(log);
  const lineStarts = [0];
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < bytes.length - 1; at = bytes.indexOf(0x0a, at + 1)) lineStarts.push(at + 1);
  return { cwd, log, snapshots: path.join(cwd, '.modelregistry', 'snapshots'), lineStarts };
}

const versions = (cwd: string) => json<Listed[]>(mreg(['versions', 'm', '--json'], { cwd })).map((version) => version.number);

/** Overwrites bytes in the middle of the line that starts at `start`, keeping its length and newline. */
function garble(log: string, start: number): void {
  const bytes = readFileSync(log);
  bytes.write('#GARBLED#', start + 20);
  writeFileSync(log, bytes);
}

describe('mreg with a damaged op log', () => {
  it('still shows the last registered version when the end of the log was cut off, and says so', () => {
    const { cwd, log } = threeVersions();
    truncateSync(log, statSync(log).size - 300);
    const listed = mreg(['versions', 'm', '--json'], { cwd });
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(JSON.parse(listed.stdout).map((version: Listed) => version.number), [3, 2, 1]);
    assert.match(listed.stderr, /mreg: warning: The op log .*oplog\.jsonl was cut short: it ends after event #\d+ \(byte \d+\), but the snapshot holds events up to #\d+\. .* read-only; run 'mreg repair'/);
    const refused = mreg(['register', 'm', 'a.bin', '--metric', 'x=1'], { cwd });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /run 'mreg repair'.* Nothing was changed\./);
  });

  for (const withSnapshot of [false, true]) {
    it(`opens read-only up to a garbled line in the middle of the log, ${withSnapshot ? 'from a snapshot before it' : 'without a snapshot'}`, () => {
      const { cwd, log, snapshots, lineStarts } = threeVersions();
      // Lines: model.created + m/1, m/2, m/3. Keep the snapshot taken after m/1 (seq 2) when asked.
      for (const name of readdirSync(snapshots)) if (!withSnapshot || !name.startsWith('00000000000000000002-')) rmSync(path.join(snapshots, name));
      if (withSnapshot) assert.equal(readdirSync(snapshots).length, 1, 'the snapshot after m/1 is there');
      garble(log, lineStarts[1]);
      const listed = mreg(['versions', 'm', '--json'], { cwd });
      assert.equal(listed.status, 0, listed.stderr);
      assert.deepEqual(JSON.parse(listed.stdout).map((version: Listed) => version.number), [1]);
      assert.match(listed.stderr, new RegExp(`The op log .*oplog\\.jsonl is damaged at byte ${lineStarts[1]} \\(.*\\)\\. Versions and changes recorded after event #2 are not shown, and the registry is read-only; run 'mreg repair'`));
      assert.equal(mreg(['show', 'm/1'], { cwd }).status, 0);
      const refused = mreg(['promote', 'm/1', 'staging'], { cwd });
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, /damaged at byte .* Nothing was changed\./);
      assert.doesNotMatch(refused.stderr, /unexpected error/);
    });
  }

  it('cuts a half-written last line left by a crash, keeps it aside and says so once', () => {
    const { cwd, log, snapshots, lineStarts } = threeVersions();
    rmSync(snapshots, { recursive: true });
    const before = readFileSync(log);
    truncateSync(log, before.length - 40);
    const first = mreg(['versions', 'm', '--json'], { cwd });
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual(JSON.parse(first.stdout).map((version: Listed) => version.number), [2, 1]);
    const torn = before.length - 40 - lineStarts[2];
    assert.match(first.stderr, new RegExp(`half-written line \\(${torn} bytes at byte ${lineStarts[2]}\\) .* never acknowledged\\. It was cut from the log and kept in oplog\\.jsonl\\.torn-${lineStarts[2]}`));
    assert.ok(readFileSync(`${log}.torn-${lineStarts[2]}`).equals(before.subarray(lineStarts[2], before.length - 40)));
    assert.equal(statSync(log).size, lineStarts[2]);
    const second = mreg(['versions', 'm'], { cwd });
    assert.equal(second.stderr, '', 'reported once');
    assert.equal(mreg(['register', 'm', 'c.bin'], { cwd }).status, 0);
    assert.deepEqual(versions(cwd), [3, 2, 1]);
    assert.equal(mreg(['verify'], { cwd }).status, 0);
  });

  it('mreg repair puts the cut-off version back, says what it kept and what is gone, and the registry is writable again', () => {
    const { cwd, log } = threeVersions();
    truncateSync(log, statSync(log).size - 300);
    const repaired = mreg(['repair'], { cwd });
    assert.equal(repaired.status, 0, repaired.stderr);
    assert.match(repaired.stdout, /^Repaired the op log\. The damaged file is kept as .*oplog\.jsonl\.damaged-/m);
    assert.match(repaired.stdout, /^Restored from the snapshot: m\/3\.$/m);
    assert.match(repaired.stdout, /^Lost:\n  - \d+ unreadable bytes after byte \d+/m);
    const after = mreg(['versions', 'm', '--json'], { cwd });
    assert.equal(after.stderr, '');
    assert.deepEqual(JSON.parse(after.stdout).map((version: Listed) => version.number), [3, 2, 1]);
    assert.equal(mreg(['register', 'm', 'a.bin', '--metric', 'x=1'], { cwd }).status, 0);
    assert.equal(mreg(['verify'], { cwd }).status, 0);
    assert.match(mreg(['repair'], { cwd }).stdout, /nothing to repair/);
  });

  it('a repaired registry syncs: the repair event passes the checks of every client that pulls it', () => {
    const { cwd, log } = threeVersions();
    const store = path.join(tempFolder('repair-store'), 'store');
    assert.equal(mreg(['store', 'init', store], { cwd }).status, 0);
    truncateSync(log, statSync(log).size - 300);
    assert.equal(mreg(['repair'], { cwd }).status, 0);
    const pushed = mreg(['sync'], { cwd });
    assert.equal(pushed.status, 0, pushed.stderr);
    const other = tempFolder('repair-reader');
    assert.equal(mreg(['init', '--store', store], { cwd: other }).status, 0);
    const pulled = mreg(['sync'], { cwd: other });
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.deepEqual(versions(other), [3, 2, 1]);
  });
});
