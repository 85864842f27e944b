import * as vscode from 'vscode';
import { formatRef } from '../core/refs';
import type { RegistrySession } from './registrySession';

/**
 * Marks workspace files that are registered artifacts, and files whose content changed since they
 * were registered. Answers come from the registry's stat cache: a stat and a small read per file,
 * never a hash, so the Explorer stays fast on multi-GB weights.
 */
export class RegisteredFileDecorations implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri | vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly session: RegistrySession) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*', true, false, true);
    this.disposables = [
      this.changeEmitter,
      watcher,
      watcher.onDidChange((uri) => this.changeEmitter.fire(uri)),
      session.onDidChange(() => this.changeEmitter.fire(undefined)),
    ];
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    if (uri.scheme !== 'file') return undefined;
    const registry = this.session.current;
    if (!registry) return undefined;
    let status;
    try {
      status = registry.fileStatus(uri.fsPath);
    } catch {
      return undefined;
    }
    if (!status) return undefined;
    const [first] = status.versions;
    const more = status.versions.length > 1 ? ` and ${status.versions.length - 1} more` : '';
    const ref = formatRef(first.model, first.number);
    if (status.state === 'registered') {
      return new vscode.FileDecoration('◆', `Registered as ${ref}${more}`, new vscode.ThemeColor('charts.green'));
    }
    return new vscode.FileDecoration('◇', `Changed since it was registered as ${ref}${more}`, new vscode.ThemeColor('charts.orange'));
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}
