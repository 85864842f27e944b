import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { RegistryEvent } from '../core/events';
import type { Registry } from '../registry/registry';
import { writeFileAtomic } from '../store/persistence/atomicFile';
import type { RemoteHead } from './logBatch';
import { SharedLogState, type SharedLogStateData } from './sharedLogState';
import type { SyncStateRecord } from './syncState';

interface Saved {
  /** The batch of the shared log the state is at. */
  head: { seq: number; hash: string };
  state: SharedLogStateData;
}

/**
 * The shared log's state (see SharedLogState) at the head a registry last synced to, kept in
 * `sync/shared-log.json` so a sync checks new events without reading the whole log again. Should
 * the file not match the head (a crash between two writes, an older client), it is rebuilt from the
 * local op log up to the confirmed position: those lines are exactly the shared log's events.
 */
export class SharedLogStateFile {
  readonly file: string;

  constructor(private readonly registry: Registry) {
    this.file = path.join(registry.folder.root, 'sync', 'shared-log.json');
  }

  load(state: SyncStateRecord): SharedLogState {
    const saved = this.read();
    if (saved && saved.head.seq === state.remote.seq && saved.head.hash === state.remote.hash) return SharedLogState.fromJSON(saved.state);
    const rebuilt = SharedLogState.empty();
    for (const line of this.registry.logLinesAfter(0)) {
      if (line.endOffset > state.confirmed.offset) break;
      for (const event of line.events) rebuilt.apply(event);
    }
    return rebuilt;
  }

  save(head: RemoteHead, state: SharedLogState): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const saved: Saved = { head: { seq: head.seq, hash: head.hash }, state: state.toJSON() };
    writeFileAtomic(this.file, JSON.stringify(saved));
  }

  /** After this client's own batch went in: its events were checked when they were made. */
  advance(before: SyncStateRecord, head: RemoteHead, events: readonly RegistryEvent[]): void {
    const state = this.load(before);
    for (const event of events) state.apply(event);
    this.save(head, state);
  }

  /** The state is no longer known to match a head (a batch was refused half-way): rebuilt on next use. */
  forget(): void {
    rmSync(this.file, { force: true });
  }

  private read(): Saved | undefined {
    if (!existsSync(this.file)) return undefined;
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Saved;
    } catch {
      return undefined;
    }
  }
}
