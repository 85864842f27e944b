import * as vscode from 'vscode';
import { formatRef } from '../core/refs';
import type { Registry } from '../registry/registry';
import { rebaseText } from '../sync/syncReports';
import { openSyncService, type SyncOptions, type SyncResult, type SyncService, type SyncStatus } from '../sync/syncService';
import type { RegistrySession } from './registrySession';
import type { Settings } from './settings';
import type { StoreCredentials } from './storeCredentials';
import { plural } from '../core/plural';

/** Writes come in bursts (register, then promote): one sync after the burst is enough. */
const AFTER_WRITE_DELAY_MS = 1500;

/**
 * Keeps the workspace's registry in step with its shared store, when it has one: on start, on an
 * interval, when the window gains focus and after each local write. Syncs run one at a time; a
 * request during a sync runs once more after it. Background failures are logged and shown in the
 * status bar, never as pop-ups: offline is a normal state.
 */
export class RegistrySync implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the sync state may have changed (a sync started, ended or failed). */
  readonly onDidChange = this.changeEmitter.event;

  private service: SyncService | undefined;
  /**
   * The service's status, read once per change: it parses every pending op-log line, and the status
   * bar, the tree and the triggers below all ask for it.
   */
  private lastStatus: SyncStatus | undefined;
  private serviceOf: Registry | undefined;
  private opening: Promise<SyncService | undefined> | undefined;
  private generation = 0;
  private running: Promise<SyncResult | undefined> | undefined;
  private requestedAgain = false;
  private afterWrite: NodeJS.Timeout | undefined;
  private interval: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly session: RegistrySession,
    private readonly settings: Settings,
    private readonly output: vscode.LogOutputChannel,
    private readonly credentials: StoreCredentials,
  ) {
    this.disposables.push(
      this.changeEmitter,
      // Also when another window changed them.
      credentials.onDidChange(() => {
        this.credentialsChanged();
        this.request('store credentials changed');
      }),
      session.onDidChange(() => void this.onRegistryChanged()),
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) this.request('window focus');
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settings.affectsSyncInterval(event)) this.startInterval();
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.request('workspace trusted')),
    );
    this.startInterval();
  }

  /** Undefined for a registry with no shared store (or not open yet): the registry is local. */
  status(): SyncStatus | undefined {
    return this.lastStatus;
  }

  get syncing(): boolean {
    return this.running !== undefined;
  }

  /** Versions registered here and not yet in the shared store: their numbers may still change. */
  pendingVersions(): Set<string> {
    return new Set(this.status()?.pendingVersions.map((version) => formatRef(version.model, version.number)) ?? []);
  }

  /**
   * Syncs now and returns what moved, or undefined when the registry has no store. Errors are
   * thrown to the caller (the Sync Now command shows them); renumbered versions are announced.
   */
  async syncNow(options: SyncOptions = {}): Promise<SyncResult | undefined> {
    const service = await this.currentService();
    if (!service) return undefined;
    while (this.running) await this.running.catch(() => undefined);
    const run = this.run(service, options);
    this.running = run;
    this.changed();
    try {
      return await run;
    } finally {
      this.running = undefined;
      this.changed();
      if (this.requestedAgain) {
        this.requestedAgain = false;
        this.request('changes during the last sync');
      }
    }
  }

  /** The URI of the open registry's shared store (as kept in the sync state), or undefined. */
  async storeUri(): Promise<string | undefined> {
    return (await this.currentService())?.storeUri;
  }

  /** Reads the status again and tells the status bar and the tree. */
  private changed(): void {
    try {
      this.lastStatus = this.service?.status();
    } catch (error) {
      this.lastStatus = undefined;
      this.output.warn(`Could not read the sync state: ${(error as Error).message}`);
    }
    this.changeEmitter.fire();
  }

  dispose(): void {
    clearTimeout(this.afterWrite);
    clearInterval(this.interval);
    for (const disposable of this.disposables) disposable.dispose();
  }

  private async run(service: SyncService, options: SyncOptions): Promise<SyncResult> {
    const started = Date.now();
    const result = await service.sync(options);
    this.output.info(`Synced with ${service.storeUri} in ${Date.now() - started} ms: pulled ${plural(result.pulledEvents, 'event')}, pushed ${plural(result.pushedEvents, 'event')} and ${plural(result.uploadedBlobs, 'blob')}.`);
    if (result.createdStore) {
      const message = `Created a new shared store at ${service.storeUri} (id ${result.createdStore}): the location was empty.`;
      this.output.info(message);
      void vscode.window.showInformationMessage(message);
    }
    for (const warning of result.warnings) this.output.warn(warning);
    const rebased = rebaseText(result.rebase);
    if (rebased.length > 0) {
      for (const line of rebased) this.output.info(line);
      void vscode.window.showInformationMessage(rebased.join(' '));
    }
    return result;
  }

  /** A background sync: skipped when there is no store or the workspace is not trusted. */
  private request(why: string): void {
    if (!vscode.workspace.isTrusted) return;
    if (this.running) {
      this.requestedAgain = true;
      return;
    }
    void this.currentService().then((service) => {
      if (!service) return;
      this.output.debug(`Syncing (${why}).`);
      // syncNow has re-read the status on its way out; the failure shows there as offline or error.
      return this.syncNow().catch((error: Error) => this.output.warn(`Sync with ${service.storeUri} failed: ${error.message}`));
    });
  }

  private async onRegistryChanged(): Promise<void> {
    const registry = this.session.current;
    const first = registry !== undefined && registry !== this.serviceOf;
    await this.currentService();
    this.changed();
    if (first) this.request('registry opened');
    else if ((this.status()?.pendingOps ?? 0) > 0) {
      if (this.running) {
        this.requestedAgain = true;
      } else {
        clearTimeout(this.afterWrite);
        this.afterWrite = setTimeout(() => this.request('a local change'), AFTER_WRITE_DELAY_MS);
      }
    }
  }

  /** The sync service of the registry open now; re-read when the registry was reopened. */
  private currentService(): Promise<SyncService | undefined> {
    const registry = this.session.current;
    if (registry !== this.serviceOf || !this.opening) {
      this.serviceOf = registry;
      this.service = undefined;
      // One opening at a time: callers arriving while it is under way wait for the same service.
      this.generation += 1;
      this.opening = registry ? this.open(registry, this.generation) : Promise.resolve(undefined);
    }
    return this.opening;
  }

  private async open(registry: Registry, generation: number): Promise<SyncService | undefined> {
    try {
      const service = await openSyncService(registry, (storeUri) => this.credentials.get(storeUri));
      // Superseded while opening (registry reopened, credentials changed): the newer opening counts.
      if (generation === this.generation) this.service = service;
      return service;
    } catch (error) {
      this.output.error(`The shared store of this registry cannot be used: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The next sync opens the store afresh, with its credentials as they are now. */
  credentialsChanged(): void {
    const old = this.service;
    this.service = undefined;
    this.opening = undefined;
    this.generation += 1;
    void (this.running ?? Promise.resolve()).catch(() => undefined).then(() => old?.store.close());
  }

  private startInterval(): void {
    clearInterval(this.interval);
    const seconds = this.settings.syncIntervalSeconds();
    if (seconds > 0) this.interval = setInterval(() => this.request('interval'), seconds * 1000);
  }
}
