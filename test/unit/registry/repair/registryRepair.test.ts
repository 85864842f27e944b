import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Registry } from '../../../../src/index';
import { useTempFolders, writeFiles } from '../../../support/tempFolders';

const tempFolder = useTempFolders();
const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

async function open(folder: string): Promise<Registry> {
  const registry = await Registry.open({ folder, actor: 'carol@example.com' });
  opened.push(registry);
  return registry;
}

/** m/1 (Production, alias champion), m/2 (tag team=risk), m/3: one op-log line per registration, each closed so snapshots exist. */
async function threeVersions(): Promise<{ folder: string; project: string; log: string; starts: number[] }> {
  const project = writeFiles(tempFolder('repair'), { 'a.bin': 'aaaa', 'b.bin': 'bbbb', 'c.bin': 'cccc', 'd.bin': 'dddd' });
  const folder = path.join(project, '.modelregistry');
  const inputs = [
    { file: 'a.bin', stage: 'Production' as const },
    { file: 'b.bin', tags: { team: 'risk' } },
    { file: 'c.bin' },
  ];
  for (const input of inputs) {
    const registry = await Registry.open({ folder, actor: 'alice@example.com' });
    await registry.register({ model: 'm', paths: [path.join(project, input.file)], git: null, stage: input.stage, tags: input.tags });
    if (input.file === 'a.bin') await registry.setAlias('m/1', 'champion');
    await registry.close();
  }
  const log = path.join(folder, 'oplog.jsonl');
  const bytes = readFileSync(log);
  const starts = [0];
  for (let at = bytes.indexOf(0x0a); at >= 0 && at < bytes.length - 1; at = bytes.indexOf(0x0a, at + 1)) starts.push(at + 1);
  return { folder, project, log, starts };
}

const summary = (registry: Registry) => registry.versions('m').map((version) => `${version.number}:${version.stage}${version.aliases.length ? `@${version.aliases.join(',')}` : ''}`);

/** The line starting at `start` made unreadable, its length and newline kept. */
function garbleLine(log: string, start: number): void {
  const bytes = readFileSync(log);
  bytes.write('#GARBLED#', start);
  writeFileSync(log, bytes);
}

describe('Registry.repair', () => {
  it('leaves a sound registry as it is', async () => {
    const { folder, log } = await threeVersions();
    const before = readFileSync(log);
    const report = await (await open(folder)).repair();
    assert.equal(report.repaired, false);
    assert.ok(readFileSync(log).equals(before));
  });

  it('puts back the last version a cut-off log lost, from the snapshot that holds it', async () => {
    const { folder, project, log } = await threeVersions();
    truncateSync(log, statSync(log).size - 300);
    const damaged = await open(folder);
    assert.ok(damaged.damage);
    const report = await damaged.repair();
    assert.equal(report.repaired, true);
    assert.deepEqual(report.restored, ['m/3']);
    // The cut-off remains of m/3's line are unreadable; m/3 itself came back from the snapshot.
    assert.deepEqual(report.lost, [`${report.unreadableBytes} unreadable bytes after byte ${statSync(report.keptAs!).size - report.unreadableBytes} (whatever events they held, unless restored above)`]);
    assert.equal(damaged.damage, undefined);
    assert.deepEqual(summary(damaged), ['3:None', '2:None', '1:Production@champion']);
    assert.ok(existsSync(report.keptAs!));
    assert.deepEqual((await damaged.verify()).problems, []);
    await damaged.register({ model: 'm', paths: [path.join(project, 'd.bin')], git: null });
    const reopened = await open(folder);
    assert.equal(reopened.damage, undefined);
    assert.deepEqual(summary(reopened), ['4:None', '3:None', '2:None', '1:Production@champion']);
    const repaired = reopened.log({ limit: 10 }).find((event) => event.type === 'registry.repaired');
    assert.ok(repaired, 'the repair is in the audit log');
  });

  it('re-chains the batches after a garbled line, restores what the snapshot holds, and names what is gone', async () => {
    const { folder, log, starts } = await threeVersions();
    garbleLine(log, starts[2]);
    const report = await (await open(folder)).repair();
    assert.equal(report.repaired, true);
    // Line 2 (m/2) was garbled: m/3 after it is re-chained; the newest snapshot still held m/2.
    assert.equal(report.rechained, 1);
    assert.deepEqual(report.restored, ['m/2']);
    assert.equal(report.unreadableBytes, starts[3] - starts[2]);
    assert.match(report.lost.join('\n'), new RegExp(`${starts[3] - starts[2]} unreadable bytes after byte ${starts[2]}`));
    const reopened = await open(folder);
    assert.deepEqual(summary(reopened), ['3:None', '2:None', '1:Production@champion']);
    assert.deepEqual(reopened.version('m/2').tags, { team: 'risk' });
    assert.deepEqual((await reopened.verify()).problems, []);
    assert.ok(readdirSync(folder).some((name) => name.startsWith('oplog.jsonl.damaged-')));
  });

  it('without a snapshot, keeps what the log still holds and reports the rest as lost', async () => {
    const { folder, log, starts } = await threeVersions();
    rmSync(path.join(folder, 'snapshots'), { recursive: true });
    garbleLine(log, starts[2]);
    const report = await (await open(folder)).repair();
    assert.deepEqual([report.rechained, report.restored], [1, []]);
    const reopened = await open(folder);
    assert.deepEqual(summary(reopened), ['3:None', '1:Production@champion']);
    assert.deepEqual((await reopened.verify()).problems, []);
  });
});
