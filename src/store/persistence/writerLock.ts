import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { RegistryError } from '../../core/registryError';
import { fileSystemError } from '../fileSystemErrors';
import { processIsAlive, removeIfPresent, temporaryNameFor } from './atomicFile';

interface LockOwner {
  pid: number;
  host: string;
  nonce: string;
  since: string;
}

/** A lock from another machine (a shared network folder) is presumed dead after this long: writes hold it for milliseconds. */
const FOREIGN_LOCK_STALE_MS = 60_000;

/**
 * One writer at a time per registry folder: the extension and `mreg` in its terminal, or several
 * CI jobs on one checkout. The lock is a file created exclusively, naming its owner. A lock whose
 * owner died (killed, crashed) is recognised at once on the same machine by its pid, and by age
 * from another machine, then broken. Breaking goes through a second exclusive file, so two waiters
 * that both see the same dead lock cannot both break it and then break each other's new one.
 */
export class WriterLock {
  constructor(
    private readonly file: string,
    private readonly timeoutMs = 15_000,
  ) {}

  async withLock<T>(work: () => T | Promise<T>): Promise<T> {
    const nonce = await this.acquire();
    try {
      return await work();
    } finally {
      this.release(nonce);
    }
  }

  /**
   * Runs `work` under the lock only if the lock is free right now (or held by a dead process);
   * undefined, without waiting, when a live writer holds it. For readers that may tidy up what a
   * crashed writer left (a torn last line) but must never disturb a write under way.
   */
  withLockIfFree<T>(work: () => T): T | undefined {
    const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), since: new Date().toISOString() };
    if (!tryCreate(this.file, owner)) {
      const holder = readOwner(this.file);
      if (!holder || !isStale(holder, this.file)) return undefined;
      this.breakStaleLock(holder);
      if (!tryCreate(this.file, owner)) return undefined;
    }
    try {
      return work();
    } finally {
      this.release(owner.nonce);
    }
  }

  private async acquire(): Promise<string> {
    const owner: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), since: new Date().toISOString() };
    const deadline = Date.now() + this.timeoutMs;
    let delay = 2;
    for (;;) {
      if (tryCreate(this.file, owner)) return owner.nonce;
      const holder = readOwner(this.file);
      if (holder && isStale(holder, this.file)) {
        this.breakStaleLock(holder);
        continue;
      }
      if (Date.now() > deadline) {
        const who = holder ? `process ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process';
        throw new RegistryError('LOCKED', `The registry is locked by ${who}. Wait for it to finish; if that process is gone, delete ${this.file}.`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 100);
    }
  }

  private breakStaleLock(stale: LockOwner): void {
    const breaker = `${this.file}.break`;
    const me: LockOwner = { pid: process.pid, host: hostname(), nonce: randomBytes(8).toString('hex'), since: new Date().toISOString() };
    if (!tryCreate(breaker, me)) {
      const other = readOwner(breaker);
      // A breaker is held for microseconds; one that outlived its process is removed.
      if (other && isStale(other, breaker)) removeIfOwnedBy(breaker, other.nonce);
      return;
    }
    try {
      removeIfOwnedBy(this.file, stale.nonce);
    } finally {
      removeIfOwnedBy(breaker, me.nonce);
    }
  }

  private release(nonce: string): void {
    removeIfOwnedBy(this.file, nonce);
  }
}

/**
 * The owner is written to a temporary file first and then hard-linked into place: link fails if
 * the lock exists (also on NFS, where it is the classic lock primitive), and a process killed at
 * any instant never leaves a lock file without its owner in it.
 */
function tryCreate(file: string, owner: LockOwner): boolean {
  const temporary = temporaryNameFor(file);
  try {
    writeFileSync(temporary, JSON.stringify(owner), { flag: 'wx' });
    linkSync(temporary, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    // A full disk creates the temporary file and then refuses its bytes: no empty file is left.
    throw fileSystemError(error, file, `take the writer lock ${file}`);
  } finally {
    removeIfPresent(temporary);
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
  } catch {
    // Released between our look and our read: try again.
    return undefined;
  }
}

function isStale(owner: LockOwner, file: string): boolean {
  if (owner.host === hostname()) return !processIsAlive(owner.pid);
  const age = Date.now() - Date.parse(owner.since);
  return Number.isFinite(age) && age > FOREIGN_LOCK_STALE_MS && readOwner(file)?.nonce === owner.nonce;
}

function removeIfOwnedBy(file: string, nonce: string): void {
  if (readOwner(file)?.nonce !== nonce) return;
  try {
    unlinkSync(file);
  } catch {
    // already removed
  }
}
