import * as vscode from 'vscode';
import { Registry } from '../core/registry';
import { locateRegistryFolder, locateProjectRoot } from '../core/registryFolder';

/**
 * The VS Code adapter. For now it offers the audit log of the workspace's registry; the sidebar,
 * commands and decorations build on the same registry API.
 */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('Model Registry');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('modelRegistry.showLog', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      if (!folder) {
        void vscode.window.showWarningMessage('Model Registry: open a folder first; its registry lives in .modelregistry.');
        return;
      }
      const root = locateProjectRoot(folder.uri.fsPath);
      const registry = await Registry.open({ folder: locateRegistryFolder(root), projectRoot: root });
      try {
        output.clear();
        for (const event of registry.log()) {
          output.appendLine(`#${event.seq} ${event.time} ${event.actor} ${event.type} ${event.model ?? ''}${event.version ? `/${event.version}` : ''} ${event.reason ?? ''}`);
        }
        output.show(true);
      } finally {
        await registry.close();
      }
    }),
  );
}

export function deactivate(): void {}
