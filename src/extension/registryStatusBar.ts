import * as vscode from 'vscode';
import { CommandIds } from './commandIds';
import type { RegistrySession } from './registrySession';

/**
 * The registry's state in the status bar: local (no shared store), read-only in Restricted Mode, or an
 * error; a click opens a menu of the registry-wide actions.
 */
export class RegistryStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelRegistry.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly session: RegistrySession) {
    this.item.name = 'Model Registry';
    this.item.command = CommandIds.showStatusMenu;
    this.subscriptions = [session.onDidChange(() => this.update()), vscode.workspace.onDidGrantWorkspaceTrust(() => this.update())];
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
      this.item.text = trusted ? '$(database) Registry: local' : '$(lock) Registry: local · read-only';
      this.item.tooltip =
        `Model Registry — local, in ${registry?.folder.root ?? 'this workspace'}\n${models} models, ${versions} versions. No shared store is configured.` +
        (trusted ? '' : '\nRestricted Mode: browsing only. Registering and changing versions run git and write files; trust this workspace to allow them.');
      this.item.backgroundColor = undefined;
    }
    this.item.show();
  }

  /** The click menu. */
  async showMenu(): Promise<void> {
    const actions = [
      { label: '$(refresh) Refresh', command: CommandIds.refresh },
      { label: '$(output) Show Audit Log', command: CommandIds.showLog },
      { label: '$(verified) Verify Integrity', command: CommandIds.verifyIntegrity },
      vscode.workspace.isTrusted
        ? { label: '$(add) Register Model Version…', command: CommandIds.registerVersion }
        : { label: '$(shield) Manage Workspace Trust…', command: 'workbench.trust.manage' },
      { label: '$(gear) Open Settings', command: CommandIds.openSettings },
    ];
    const choice = await vscode.window.showQuickPick(actions, { title: this.item.tooltip?.toString().split('\n')[0] ?? 'Model Registry' });
    if (choice) await vscode.commands.executeCommand(choice.command);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
