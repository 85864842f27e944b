import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import { Registry } from '../../../src/index';
import { useTempFolders, writeFiles } from '../../support/tempFolders';

const tempFolder = useTempFolders();
const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

async function open(folder: string): Promise<Registry> {
  const registry = await Registry.open({ folder, actor: 'bob@example.com' });
  opened.push(registry);
  return registry;
}

/** A registry folder with three events' worth of history, closed (so a snapshot exists). */
async function populatedFolder(): Promise<{ folder: string; project: string }> {
  const project = writeFiles(tempFolder('persist'), { 'a.bin': 'aaaa', 'b.bin': 'bbbb' });
  const folder = path.join(project, '.modelregistry');
  const registry = await Registry.open({ folder, actor: 'bob@example.com' });
  await registry.register({ model: 'm', paths: [path.join(project, 'a.bin')], git: null, stage: 'Production' });
  await registry.register({ model: 'm', paths: [path.join(project, 'b.bin')], git: null });
  await registry.close();
  return { folder, project };
}

const snapshotFiles = (folder: string) => readdirSync(path.join(folder, 'snapshots')).filter((name) => name.endsWith('.sqlite'));
const summary = (registry: Registry) => registry.versions('m').map((v) => `${v.number}:${v.stage}`);

describe('registry persistence', () => {
  it('writes a snapshot on close and reopens to the same state', async () => {
    const { folder } = await populatedFolder();
    assert.equal(snapshotFiles(folder).length, 1);
    const registry = await open(folder);
    assert.deepEqual(summary(registry), ['2:None', '1:Production']);
    assert.deepEqual(registry.warnings, []);
  });

  it('replays op-log events newer than the snapshot', async () => {
    const { folder, project } = await populatedFolder();
    const writer = await open(folder);
    writeFiles(project, { 'c.bin': 'cccc' });
    await writer.register({ model: 'm', paths: [path.join(project, 'c.bin')], git: null, stage: 'Production' });
    // Simulate a crash: no close, so no new snapshot; the op log alone carries the change.
    const reader = await open(folder);
    assert.deepEqual(summary(reader), ['3:Production', '2:None', '1:Archived']);
    // The timings name what the open did: the snapshot read (and hashed: it is new), then the registration and its promotion replayed.
    const snapshot = snapshotFiles(folder)[0];
    assert.equal(reader.loadTimings.snapshotBytes, readFileSync(path.join(folder, 'snapshots', snapshot)).length);
    assert.equal(reader.loadTimings.snapshotHashed, true);
    assert.equal(reader.loadTimings.replayedEvents, 3);
    assert.ok(reader.loadTimings.replayMs > 0 && reader.loadTimings.snapshotMs > 0);
  });

  it('rebuilds from the op log when the snapshot is damaged, and says so', async () => {
    const { folder } = await populatedFolder();
    const [name] = snapshotFiles(folder);
    const file = path.join(folder, 'snapshots', name);
    const bytes = readFileSync(file);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(file, bytes);
    const registry = await open(folder);
    assert.deepEqual(summary(registry), ['2:None', '1:Production']);
    assert.match(registry.warnings.join('\n'), /damaged/);
    assert.ok(existsSync(`${file}.damaged`));
  });

  it('rebuilds from the op log when snapshot and log disagree, and says so', async () => {
    const { folder } = await populatedFolder();
    // The log of another, longer history put in place of this one (restored from elsewhere, say):
    // the snapshot's events are not its events, so the log alone is the truth.
    const other = await populatedFolder();
    const writer = await open(other.folder);
    await writer.promote('m/2', 'Staging');
    writeFileSync(path.join(folder, 'oplog.jsonl'), readFileSync(path.join(other.folder, 'oplog.jsonl')));
    const registry = await open(folder);
    assert.deepEqual(summary(registry), ['2:Staging', '1:Production']);
    assert.match(registry.warnings.join('\n'), /rebuilt from the op log/);
  });

  it('opens read-only, up to the damage, a log whose last batch does not continue the chain', async () => {
    const { folder, project } = await populatedFolder();
    const log = path.join(folder, 'oplog.jsonl');
    const lines = readFileSync(log, 'utf8').split('\n');
    writeFileSync(log, `${lines.join('\n')}${lines[lines.length - 2]}\n`);
    const registry = await open(folder);
    assert.deepEqual(summary(registry), ['2:None', '1:Production']);
    assert.match(registry.damage!.message, /damaged at byte \d+ \(Event #\d+ follows event #\d+: events are missing or out of order\)\. .* read-only; run 'mreg repair'/);
    await assert.rejects(registry.register({ model: 'm', paths: [path.join(project, 'a.bin')], git: null, metrics: { x: 1 } }), (error: Error & { code?: string }) => error.code === 'CORRUPT' && /Nothing was changed/.test(error.message));
  });

  it('says at which byte an op log is damaged, and shows what comes before it', async () => {
    const { folder } = await populatedFolder();
    rmSync(path.join(folder, 'snapshots'), { recursive: true });
    const log = path.join(folder, 'oplog.jsonl');
    const text = readFileSync(log, 'utf8');
    const secondLine = text.indexOf('\n') + 1;
    writeFileSync(log, text.slice(0, secondLine) + text.slice(secondLine).replace('"version.registered"', '"version.regist'));
    const registry = await open(folder);
    assert.deepEqual(summary(registry), ['1:Production']);
    assert.equal(registry.damage!.offset, secondLine);
    assert.match(registry.warnings.join('\n'), new RegExp(`op log .* is damaged at byte ${secondLine} \\(that line is not a batch of events\\)`));
  });

  it('ignores a torn last line left by a killed writer and writes on cleanly', async () => {
    const { folder, project } = await populatedFolder();
    appendFileSync(path.join(folder, 'oplog.jsonl'), '[{"v":1,"seq":99,"type":"version.regis');
    const registry = await open(folder);
    assert.deepEqual(summary(registry), ['2:None', '1:Production']);
    writeFiles(project, { 'c.bin': 'cccc' });
    await registry.register({ model: 'm', paths: [path.join(project, 'c.bin')], git: null });
    const again = await open(folder);
    assert.deepEqual(summary(again), ['3:None', '2:None', '1:Production']);
    assert.deepEqual((await again.verify()).problems, []);
  });

  it('refuses a registry folder written by a newer release', async () => {
    const { folder } = await populatedFolder();
    writeFileSync(path.join(folder, 'registry.json'), '{"format": 99}');
    await assert.rejects(open(folder), (error: Error & { code?: string }) => error.code === 'NEWER_FORMAT' && /Upgrade/.test(error.message));
  });

  it('refuses a database schema written by a newer release', async () => {
    const { folder } = await populatedFolder();
    const [name] = snapshotFiles(folder);
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(path.join(folder, 'snapshots', name)));
    db.exec('PRAGMA user_version = 99');
    const data = Buffer.from(db.export());
    db.close();
    rmSync(path.join(folder, 'snapshots'), { recursive: true });
    const { SnapshotFiles } = await import('../../../src/store/persistence/snapshotFiles');
    new SnapshotFiles(path.join(folder, 'snapshots')).write(data, 3);
    await assert.rejects(open(folder), { code: 'NEWER_FORMAT' });
  });

  it('refuses events written in a newer event format', async () => {
    const { folder } = await populatedFolder();
    const log = path.join(folder, 'oplog.jsonl');
    const events = JSON.parse(readFileSync(log, 'utf8').trimEnd().split('\n').pop()!) as { v: number; seq: number }[];
    rmSync(path.join(folder, 'snapshots'), { recursive: true });
    writeFileSync(log, readFileSync(log, 'utf8').replace(JSON.stringify(events), JSON.stringify(events.map((event) => ({ ...event, v: 2 })))));
    await assert.rejects(open(folder), { code: 'NEWER_FORMAT' });
  });

  it('lets two processes share a folder: each sees the other and nothing is lost', async () => {
    const { folder, project } = await populatedFolder();
    const extension = await open(folder);
    const terminal = await open(folder);
    let notified = 0;
    extension.onDidChange(() => notified++);
    writeFiles(project, { 'c.bin': 'cccc', 'd.bin': 'dddd' });
    await terminal.register({ model: 'm', paths: [path.join(project, 'c.bin')], git: null });
    assert.equal(extension.refresh(), true);
    assert.equal(notified, 1);
    await extension.register({ model: 'm', paths: [path.join(project, 'd.bin')], git: null });
    await terminal.promote('m/4', 'Production');
    assert.deepEqual(summary(extension), ['4:Production', '3:None', '2:None', '1:Archived']);
    assert.deepEqual(summary(terminal), summary(extension));
  });

  describe('verify', () => {
    it('reports a flipped byte in a blob', async () => {
      const { folder } = await populatedFolder();
      const registry = await open(folder);
      const blob = registry.resolve('m/1').artifacts[0].blobPath;
      const bytes = readFileSync(blob);
      bytes[0] ^= 0x01;
      writeFileSync(blob, bytes);
      const report = await registry.verify();
      assert.deepEqual(report.problems.map((problem) => problem.kind), ['blob-damaged']);
      assert.match(report.problems[0].message, new RegExp(path.basename(blob)));
    });

    it('reports a missing blob, naming the version that needs it', async () => {
      const { folder } = await populatedFolder();
      const registry = await open(folder);
      rmSync(registry.resolve('m/2').artifacts[0].blobPath);
      const report = await registry.verify();
      assert.deepEqual(report.problems.map((problem) => problem.kind), ['blob-missing']);
      assert.match(report.problems[0].message, /m\/2 b\.bin/);
    });

    it('reports an event edited after it was written', async () => {
      const { folder } = await populatedFolder();
      const log = path.join(folder, 'oplog.jsonl');
      // Same length, so the log still lines up with the snapshot's offset.
      writeFileSync(log, readFileSync(log, 'utf8').replace('"actor":"bob@example.com"', '"actor":"eve@example.com"'));
      const registry = await open(folder); // the snapshot already covers it, so opening works…
      const report = await registry.verify(); // …and verify finds it
      assert.ok(report.problems.some((problem) => problem.kind === 'event-chain' && /Event #1 does not match its own hash/.test(problem.message)));
    });

    it('opens read-only a log edited beyond what the snapshot covers', async () => {
      const { folder } = await populatedFolder();
      const log = path.join(folder, 'oplog.jsonl');
      writeFileSync(log, readFileSync(log, 'utf8').replace('"to":"Production"', '"to":"Staging"'));
      const registry = await open(folder);
      assert.match(registry.damage!.message, /edited/);
      assert.deepEqual(summary(registry).length > 0, true);
    });
  });
});
