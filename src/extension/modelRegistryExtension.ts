import * as vscode from 'vscode';
import { registerCommands } from './commands/commandRegistry';
import { RegisteredFileDecorations } from './registeredFileDecorations';
import { REGISTRY_DOCUMENT_SCHEME, RegistryDocuments } from './registryDocuments';
import { RegistrySession } from './registrySession';
import { RegistryStatusBar } from './registryStatusBar';
import { RegistrySync } from './registrySync';
import { StoreCredentials } from './storeCredentials';
import { Settings } from './settings';
import { ApprovalsTreeProvider } from './tree/approvalsTreeProvider';
import { ExpansionMemory } from './tree/expansionMemory';
import { ModelsTreeProvider } from './tree/modelsTreeProvider';
import { StagesTreeProvider } from './tree/stagesTreeProvider';
import type { TreeNode } from './tree/treeNode';
import { VersionPanels } from './webviews/versionPanels';

/**
 * The composition root: builds every part of the extension once, wires them to the one registry
 * session, and owns every disposable.
 */
export class ModelRegistryExtension implements vscode.Disposable {
  readonly session: RegistrySession;
  readonly modelsTree: ModelsTreeProvider;
  readonly stagesTree: StagesTreeProvider;
  readonly approvalsTree: ApprovalsTreeProvider;
  readonly decorations: RegisteredFileDecorations;
  readonly sync: RegistrySync;
  readonly output: vscode.LogOutputChannel;
  readonly versionPanels: VersionPanels;
  readonly storeCredentials: StoreCredentials;
  /** How long activate() took; the registry itself opens right after, without blocking it. */
  activationMs = 0;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(context: vscode.ExtensionContext) {
    const settings = new Settings();
    this.output = vscode.window.createOutputChannel('Model Registry', { log: true });
    this.session = new RegistrySession(settings, this.output);
    const modelsExpansion = new ExpansionMemory(context.workspaceState, 'modelRegistry.expanded.models');
    this.storeCredentials = new StoreCredentials(context.secrets);
    this.sync = new RegistrySync(this.session, settings, this.output, this.storeCredentials);
    this.modelsTree = new ModelsTreeProvider(this.session, modelsExpansion, () => this.sync.pendingVersions());
    const stagesExpansion = new ExpansionMemory(context.workspaceState, 'modelRegistry.expanded.stages');
    this.stagesTree = new StagesTreeProvider(this.session, stagesExpansion);
    this.approvalsTree = new ApprovalsTreeProvider(this.session);
    this.decorations = new RegisteredFileDecorations(this.session);
    const statusBar = new RegistryStatusBar(this.session, this.sync);
    const modelsView = vscode.window.createTreeView<TreeNode>('modelRegistry.models', { treeDataProvider: this.modelsTree, canSelectMany: true, showCollapseAll: true });
    this.modelsTree.attach(modelsView);
    const stagesView = vscode.window.createTreeView<TreeNode>('modelRegistry.stages', { treeDataProvider: this.stagesTree, canSelectMany: true });
    const approvalsView = vscode.window.createTreeView<TreeNode>('modelRegistry.approvals', { treeDataProvider: this.approvalsTree });
    const documents = new RegistryDocuments(this.session);
    this.versionPanels = new VersionPanels(this.session, context.extensionUri, this.output);
    this.disposables.push(
      this.output,
      this.modelsTree,
      this.stagesTree,
      this.approvalsTree,
      approvalsView,
      this.approvalsTree.onDidChangeTreeData(() => void showApprovalCount(approvalsView, this.approvalsTree)),
      this.decorations,
      statusBar,
      this.sync,
      documents,
      this.versionPanels,
      this.versionPanels.registerSerializer(),
      modelsView,
      stagesView,
      ...modelsExpansion.track(modelsView),
      ...stagesExpansion.track(stagesView),
      this.sync.onDidChange(refreshWhenPendingChanges(this.sync, this.modelsTree)),
      this.modelsTree.onDidChangeTreeData(() => {
        modelsView.description = this.modelsTree.activeFilter ? `filter: ${this.modelsTree.activeFilter.text}` : undefined;
      }),
      vscode.window.registerFileDecorationProvider(this.decorations),
      vscode.workspace.registerTextDocumentContentProvider(REGISTRY_DOCUMENT_SCHEME, documents),
      ...registerCommands({ session: this.session, settings, output: this.output, modelsTree: this.modelsTree, statusBar, sync: this.sync, versionPanels: this.versionPanels, storeCredentials: this.storeCredentials }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (settings.affectsWeightFiles(event)) setWeightFileContext(settings);
      }),
      { dispose: () => void this.session.dispose() },
    );
    setWeightFileContext(settings);
    // Open right after activation (not during it: reading a large snapshot takes a while), so the
    // first look at the sidebar does not wait for the database.
    const opening = setImmediate(() => void this.session.get().catch(() => undefined));
    this.disposables.push({ dispose: () => clearImmediate(opening) });
  }

  dispose(): void {
    for (const disposable of this.disposables.reverse()) disposable.dispose();
  }
}

/** The tree marks pending versions; it renders again only when that set changes, not on every sync. */
function refreshWhenPendingChanges(sync: RegistrySync, tree: ModelsTreeProvider): () => void {
  let shown = '';
  return () => {
    const pending = [...sync.pendingVersions()].sort().join(' ');
    if (pending === shown) return;
    shown = pending;
    tree.refresh();
  };
}

/** The number of open requests as the view's badge, so reviewers see them with the view collapsed. */
async function showApprovalCount(view: vscode.TreeView<TreeNode>, tree: ApprovalsTreeProvider): Promise<void> {
  const count = (await tree.getChildren()).length;
  view.badge = count === 0 ? undefined : { value: count, tooltip: `${count} approval request(s) waiting` };
}

/** Until this is set, package.json's menus fall back to the default weight-file extensions. */
function setWeightFileContext(settings: Settings): void {
  void vscode.commands.executeCommand('setContext', 'modelRegistry.weightFileExtensions', settings.weightFileExtensions());
  void vscode.commands.executeCommand('setContext', 'modelRegistry.active', true);
}
