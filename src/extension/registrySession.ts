import { unwatchFile, watchFile } from 'node:fs';
import * as vscode from 'vscode';
import { Registry } from '../registry/registry';
import { RegistryFolder, locateProjectRoot, locateRegistryFolder } from '../store/registryFolder';
import type { Settings } from './settings';
import { CommandIds } from './commandIds';

/** What the views show: no folder open, an empty registry, a registry with models, or an error. */
export type SessionState = 'noFolder' | 'empty' | 'ready' | 'error';

/** A backstop for missed file events; fs.watchFile polls one stat per interval. */
const OPLOG_POLL_MS = 1000;

/**
 * The workspace's registry, opened once and shared by every view and command. It refreshes when
 * another process (`mreg` in a terminal) appends to the op log, and reopens when the registry
 * location changes.
 */
export class RegistrySession implements vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires after the registry's content changed, here or in another process. */
  readonly onDidChange = this.changeEmitter.event;

  private opening: Promise<Registry> | undefined;
  private registry: Registry | undefined;
  private watchedLog: string | undefined;
  private stateValue: SessionState = 'empty';
  private lastError: Error | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly settings: Settings,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.changeEmitter,
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reopen()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settings.affectsRegistryLocation(event)) void this.reopen();
      }),
      vscode.window.onDidChangeWindowState((state) => {
        if (state.focused) this.refresh();
      }),
    );
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** Why the registry could not be opened, when state is 'error'. */
  get error(): Error | undefined {
    return this.lastError;
  }

  /** The workspace folder whose registry this is. */
  get workspaceFolder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  /** The open registry, or undefined before it is opened or when it cannot be. */
  get current(): Registry | undefined {
    return this.registry;
  }

  /** Opens the registry on first use; later calls share the same instance. */
  async get(): Promise<Registry> {
    this.opening ??= this.open();
    return this.opening;
  }

  /** Picks up what other processes wrote; fires onDidChange when something changed. */
  refresh(): void {
    const registry = this.registry;
    if (!registry) return;
    try {
      if (registry.refresh()) this.updateState(registry);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Forgets cached state and reads everything again (the Refresh command). */
  async reload(): Promise<void> {
    await this.reopen();
  }

  async dispose(): Promise<void> {
    this.stopWatching();
    for (const disposable of this.disposables) disposable.dispose();
    const registry = await this.opening?.catch(() => undefined);
    await registry?.close();
  }

  private async open(): Promise<Registry> {
    const folder = this.workspaceFolder;
    if (!folder) {
      this.setState('noFolder');
      throw new Error('Open a folder first: its model registry lives in .modelregistry at the root of the project.');
    }
    const started = Date.now();
    try {
      const projectRoot = locateProjectRoot(folder.uri.fsPath);
      const registryFolder = this.settings.registryPath(folder.uri.fsPath) ?? locateRegistryFolder(projectRoot);
      const registry = await Registry.open({ folder: registryFolder, projectRoot, checkpointAfterIdleMs: 5000, restrictedMode: () => !vscode.workspace.isTrusted });
      for (const warning of registry.warnings) this.output.warn(warning);
      this.output.info(`Opened the registry in ${registryFolder} (${Date.now() - started} ms).`);
      registry.onDidChange(() => this.updateState(registry));
      this.registry = registry;
      this.watch(new RegistryFolder(registryFolder).opLogFile);
      this.updateState(registry);
      return registry;
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  private async reopen(): Promise<void> {
    const previous = this.opening;
    this.opening = undefined;
    this.registry = undefined;
    this.stopWatching();
    const old = await previous?.catch(() => undefined);
    await old?.close();
    try {
      await this.get();
    } catch {
      // already reported through the state and the output channel
    }
    this.changeEmitter.fire();
  }

  private watch(opLogFile: string): void {
    this.watchedLog = opLogFile;
    watchFile(opLogFile, { interval: OPLOG_POLL_MS, persistent: false }, () => this.refresh());
  }

  private stopWatching(): void {
    if (this.watchedLog) unwatchFile(this.watchedLog);
    this.watchedLog = undefined;
  }

  private updateState(registry: Registry): void {
    this.lastError = undefined;
    this.setState(registry.counts().models === 0 ? 'empty' : 'ready');
    this.announceDamage(registry);
    this.changeEmitter.fire();
  }

  /** A damaged op log opens read-only: say so once per damage, with the way out, and let menus offer Repair. */
  private announceDamage(registry: Registry): void {
    const damage = registry.damage;
    void vscode.commands.executeCommand('setContext', 'modelRegistry.damaged', damage !== undefined);
    if (!damage || damage.message === this.announcedDamage) return;
    this.announcedDamage = damage.message;
    void vscode.window.showWarningMessage(damage.message, 'Repair Registry…', 'Show Output').then((choice) => {
      if (choice === 'Repair Registry…') void vscode.commands.executeCommand(CommandIds.repairRegistry);
      if (choice === 'Show Output') this.output.show(true);
    });
  }

  private fail(error: unknown): void {
    this.lastError = error instanceof Error ? error : new Error(String(error));
    this.output.error(`The registry could not be opened: ${this.lastError.message}`);
    this.setState('error');
    this.changeEmitter.fire();
  }

  private announcedDamage: string | undefined;

  private setState(state: SessionState): void {
    this.stateValue = state;
    void vscode.commands.executeCommand('setContext', 'modelRegistry.state', state);
  }
}
