import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { WriterLock } from '../../../../src/store/persistence/writerLock';
import { useTempFolders } from '../../../support/tempFolders';

const tempFolder = useTempFolders();

function deadPid(): number {
  // A process that has exited: its pid is free (and reuse within the test is vanishingly unlikely).
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
}

describe('WriterLock', () => {
  it('lets one holder in at a time', async () => {
    const lock = new WriterLock(path.join(tempFolder(), 'lock'));
    const order: string[] = [];
    const slow = lock.withLock(async () => {
      order.push('a in');
      await new Promise((resolve) => setTimeout(resolve, 50));
      order.push('a out');
    });
    const fast = lock.withLock(() => {
      order.push('b in');
    });
    await Promise.all([slow, fast]);
    assert.deepEqual(order, ['a in', 'a out', 'b in']);
  });

  it('releases the lock when the work throws', async () => {
    const file = path.join(tempFolder(), 'lock');
    const lock = new WriterLock(file);
    await assert.rejects(lock.withLock(() => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(existsSync(file), false);
  });

  it('breaks at once a lock whose process on this machine is dead', async () => {
    const file = path.join(tempFolder(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: deadPid(), host: hostname(), nonce: 'dead', since: new Date().toISOString() }));
    const started = Date.now();
    await new WriterLock(file, 2000).withLock(() => undefined);
    assert.ok(Date.now() - started < 1000);
  });

  it('breaks a lock from another machine once it is old', async () => {
    const file = path.join(tempFolder(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', nonce: 'old', since: new Date(Date.now() - 120_000).toISOString() }));
    await new WriterLock(file, 2000).withLock(() => undefined);
  });

  it('waits for a live holder, then says who holds the lock', async () => {
    const file = path.join(tempFolder(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: process.pid, host: hostname(), nonce: 'live', since: '2026-01-01T00:00:00.000Z' }));
    await assert.rejects(new WriterLock(file, 200).withLock(() => undefined), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'LOCKED');
      assert.match(error.message, new RegExp(`process ${process.pid} on ${hostname()}`));
      return true;
    });
  });
});
