import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import type { SyncStatus } from '../sync/syncService';
import type { RegistrySession } from './registrySession';
import type { RegistrySync } from './registrySync';
import { plural } from '../core/plural';

/**
 * The registry's state in the status bar: local (no shared store), synced, N pending, offline, store
 * unreachable (missing or empty: a share not mounted), wrong store, or a sync error, read-only in Restricted Mode, or an error opening it; a click opens a menu of the
 * registry-wide actions.
 */
export class RegistryStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelRegistry.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly session: RegistrySession,
    private readonly sync: RegistrySync,
  ) {
    this.item.name = 'Model Registry';
    this.item.command = CommandIds.showStatusMenu;
    this.subscriptions = [session.onDidChange(() => this.update()), sync.onDidChange(() => this.update()), vscode.workspace.onDidGrantWorkspaceTrust(() => this.update())];
    this.update();
  }

  update(): void {
    const { state } = this.session;
    if (state === 'noFolder') {
      this.item.hide();
      return;
    }
    if (state === 'error') {
      this.item.text = '$(error) Registry: error';
      this.item.tooltip = `The registry could not be opened: ${this.session.error?.message ?? 'unknown error'}`;
      this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else {
      const registry = this.session.current;
      const { models, versions } = registry?.counts() ?? { models: 0, versions: 0 };
      const trusted = vscode.workspace.isTrusted;
      const sync = this.sync.status();
      const [icon, label] = sync ? syncPresentation(sync, this.sync.syncing) : ['$(database)', 'local'];
      this.item.text = trusted ? `${icon} Registry: ${label}` : `$(lock) Registry: ${label} · read-only`;
      this.item.tooltip =
        `Model Registry — ${label}, in ${registry?.folder.root ?? 'this workspace'}\n${plural(models, 'model')}, ${plural(versions, 'version')}. ` +
        (sync ? syncDetails(sync) : 'No shared store is configured (mreg store set URI).') +
        (trusted ? '' : '\nRestricted Mode: browsing only. Registering and changing versions run git and write files; trust this workspace to allow them.');
      // Unreachable and wrong store are not weather: someone has to mount the share or fix the URI.
      this.item.backgroundColor =
        sync?.state === 'error' || sync?.state === 'unreachable' || sync?.state === 'wrong-store' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      if (registry?.damage) {
        this.item.text = '$(warning) Registry: damaged · read-only';
        this.item.tooltip = `${registry.damage.message}\n${plural(models, 'model')}, ${plural(versions, 'version')} shown.`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      }
    }
    this.item.show();
  }

  /** The click menu. */
  async showMenu(): Promise<void> {
    const actions = this.session.state === 'error' ? this.errorActions() : this.readyActions();
    const choice = await vscode.window.showQuickPick(actions, { title: this.item.tooltip?.toString().split('\n')[0] ?? 'Model Registry' });
    if (choice) await vscode.commands.executeCommand(choice.command);
  }

  /** The registry could not be opened: only what works without it. */
  private errorActions(): { label: string; command: string }[] {
    return [
      { label: '$(output) Show Output', command: CommandIds.showOutput },
      { label: '$(refresh) Try Again', command: CommandIds.refresh },
      { label: '$(gear) Open Settings', command: CommandIds.openSettings },
    ];
  }

  private readyActions(): { label: string; command: string }[] {
    const damaged = this.session.current?.damage !== undefined;
    return [
      ...(damaged ? [{ label: '$(tools) Repair Registry…', command: CommandIds.repairRegistry }] : []),
      ...(this.sync.status() && !damaged ? [{ label: '$(sync) Sync with Shared Store', command: CommandIds.syncNow }] : []),
      { label: '$(refresh) Refresh', command: CommandIds.refresh },
      { label: '$(output) Show Audit Log', command: CommandIds.showLog },
      { label: '$(verified) Verify Integrity', command: CommandIds.verifyIntegrity },
      ...(damaged
        ? [{ label: '$(output) Show Output', command: CommandIds.showOutput }]
        : [
            vscode.workspace.isTrusted
              ? { label: '$(add) Register Model Version…', command: CommandIds.registerVersion }
              : { label: '$(shield) Manage Workspace Trust…', command: 'workbench.trust.manage' },
          ]),
      { label: '$(gear) Open Settings', command: CommandIds.openSettings },
    ];
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}

function syncPresentation(status: SyncStatus, syncing: boolean): [icon: string, label: string] {
  if (syncing) return ['$(sync~spin)', 'syncing…'];
  switch (status.state) {
    case 'pending':
      return ['$(cloud-upload)', `${status.pendingOps} pending`];
    case 'offline':
      return ['$(debug-disconnect)', 'offline'];
    case 'unreachable':
      return ['$(debug-disconnect)', 'store unreachable'];
    case 'wrong-store':
      return ['$(error)', 'wrong store'];
    case 'error':
      return ['$(warning)', 'sync error'];
    default:
      return ['$(cloud)', 'synced'];
  }
}

function syncDetails(status: SyncStatus): string {
  const lines = [`Shared store: ${status.store ?? '-'}${status.storeId ? ` (id ${status.storeId})` : ''}`, `Last sync: ${status.lastSync ?? 'never'}`];
  if (status.pendingOps > 0) lines.push(`${plural(status.pendingOps, 'change')} not yet in the store${status.pendingVersions.length > 0 ? `, including ${plural(status.pendingVersions.length, 'new version')} whose numbers may still change` : ''}.`);
  if (status.lastError && status.state !== 'synced' && status.state !== 'pending') lines.push(`Last attempt failed: ${status.lastError.message}`);
  return lines.join('\n');
}
