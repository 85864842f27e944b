import * as vscode from 'vscode';
import { lastRecordedGates } from '../../core/governance/recordedGates';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import { CommandIds } from '../commandIds';
import { reportError } from '../errorReporting';
import { versionDocumentUri, commitDocumentUri } from '../registryDocuments';
import type { RegistrySession } from '../registrySession';
import { ArtifactNode } from '../tree/artifactNode';
import { isWebviewMessage, subjectFromSavedState, type HostMessage, type PageData, type PanelSubject, type WebviewMessage } from './protocol';
import { webviewHtml } from './webviewHtml';
import { lineagePage, overviewPage, overviewVocabulary } from './registryPageAnswers';
import { actOnRegistryPage } from './registryPageActions';
import { isRegistryPageRequest } from './registryPagesProtocol';

export const VERSION_PANEL_VIEW_TYPE = 'modelRegistry.version';


/**
 * The version pages: one panel per version and one per compared pair, revealed again when the same
 * subject is opened twice. Each panel re-reads the registry when it changes (a promotion made from
 * the page shows at once) and acts only on the versions it shows.
 */
export class VersionPanels implements vscode.Disposable {
  private readonly panels = new Map<string, VersionPanel>();

  constructor(
    private readonly session: RegistrySession,
    private readonly extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {}

  /** The open panel for a subject, if any (for tests and commands). */
  panel(key: string): VersionPanel | undefined {
    return this.panels.get(key);
  }

  get openPanels(): VersionPanel[] {
    return [...this.panels.values()];
  }

  /** A version's page; `column` Beside keeps the page that asked for it in sight (Review shows the comparison and the candidate). */
  showVersion(version: ModelVersion, column: vscode.ViewColumn = vscode.ViewColumn.Active): VersionPanel {
    return this.show({ kind: 'details', ref: formatRef(version.model, version.number) }, column);
  }

  showComparison(before: ModelVersion, after: ModelVersion): VersionPanel {
    return this.show({ kind: 'comparison', before: formatRef(before.model, before.number), after: formatRef(after.model, after.number) });
  }

  /** Two to five versions as columns, in the order given. */
  showColumns(versions: ModelVersion[]): VersionPanel {
    return this.show({ kind: 'columns', refs: versions.map((version) => formatRef(version.model, version.number)) });
  }

  /** The audit log as a filterable table: of one model, or of the whole registry. */
  showLog(model?: string): VersionPanel {
    return this.show({ kind: 'log', model: model ?? null });
  }

  /** A model's metrics across its versions, with its stage changes marked. */
  showChart(model: string): VersionPanel {
    return this.show({ kind: 'chart', model });
  }

  /** Every model as a row (the Registry Overview). */
  showOverview(): VersionPanel {
    return this.show({ kind: 'overview' });
  }

  /** The lineage graph around a version (`model/number`), a model, or a data entry (`data:sha256:…`). */
  showLineage(subject: string): VersionPanel {
    return this.show({ kind: 'lineage', subject });
  }

  private show(subject: PanelSubject, column: vscode.ViewColumn = vscode.ViewColumn.Active): VersionPanel {
    const key = subjectKey(subject);
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    const webviewPanel = vscode.window.createWebviewPanel(VERSION_PANEL_VIEW_TYPE, titleOf(subject), column, {
      enableScripts: true,
      localResourceRoots: [this.bundle],
      enableFindWidget: true,
    });
    return this.adopt(webviewPanel, subject);
  }

  private get bundle(): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
  }

  private adopt(webviewPanel: vscode.WebviewPanel, subject: PanelSubject): VersionPanel {
    const key = subjectKey(subject);
    const panel = new VersionPanel(webviewPanel, subject, key, this.bundle, this.session, this.output);
    this.panels.set(key, panel);
    webviewPanel.onDidDispose(() => {
      if (this.panels.get(key) === panel) this.panels.delete(key);
    });
    return panel;
  }

  /**
   * Brings a page back after a window reload: VS Code hands over the panel and the state the page
   * last saved. Only the references are taken from that state (see subjectFromSavedState); the
   * page is built again from the registry, and a page naming nothing usable is closed.
   */
  restore(webviewPanel: vscode.WebviewPanel, state: unknown): VersionPanel | undefined {
    const subject = subjectFromSavedState(state);
    if (!subject || this.panels.has(subjectKey(subject))) {
      this.output.warn(`Closed a restored version page that ${subject ? 'is already open' : 'named no version'}.`);
      webviewPanel.dispose();
      return undefined;
    }
    webviewPanel.webview.options = { enableScripts: true, localResourceRoots: [this.bundle] };
    webviewPanel.title = titleOf(subject);
    return this.adopt(webviewPanel, subject);
  }

  /** For VS Code to hand back the pages that were open when the window reloaded. */
  registerSerializer(): vscode.Disposable {
    return vscode.window.registerWebviewPanelSerializer(VERSION_PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, state) => {
        this.restore(webviewPanel, state);
      },
    });
  }

  dispose(): void {
    for (const panel of this.panels.values()) panel.dispose();
    this.panels.clear();
  }
}

function titleOf(subject: PanelSubject): string {
  switch (subject.kind) {
    case 'details':
      return subject.ref.replace(/\/(\d+)$/, ' #$1');
    case 'comparison':
      return `${subject.before} ↔ ${subject.after}`;
    case 'chart':
      return `${subject.model} metrics`;
    case 'columns':
      return subject.refs.join(' | ');
    case 'log':
      return subject.model ? `${subject.model} audit log` : 'Audit log';
    case 'overview':
      return 'Registry Overview';
    case 'lineage':
      return `Lineage: ${subject.subject.length > 40 ? `${subject.subject.slice(0, 39)}…` : subject.subject}`;
  }
}

export function subjectKey(subject: PanelSubject): string {
  switch (subject.kind) {
    case 'details':
      return `details:${subject.ref}`;
    case 'comparison':
      return `comparison:${subject.before}|${subject.after}`;
    case 'chart':
      return `chart:${subject.model}`;
    case 'columns':
      return `columns:${subject.refs.join('|')}`;
    case 'log':
      return `log:${subject.model ?? ''}`;
    case 'overview':
      return 'overview';
    case 'lineage':
      return `lineage:${subject.subject}`;
  }
}

export class VersionPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readyResolve: (() => void) | undefined;
  /** Resolves when the page has loaded and asked for its data. */
  readonly ready: Promise<void>;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly subject: PanelSubject,
    readonly key: string,
    bundle: vscode.Uri,
    private readonly session: RegistrySession,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    const { webview } = panel;
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(bundle, 'main.css')).toString(),
      title: panel.title,
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      session.onDidChange(() => void this.send()),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The refs this panel shows: the only versions its page may act on; undefined for the registry-wide pages, which may act on any. */
  get refs(): string[] | undefined {
    switch (this.subject.kind) {
      case 'details':
        return [this.subject.ref];
      case 'comparison':
        return [this.subject.before, this.subject.after];
      case 'chart':
      case 'log':
        return [];
      case 'columns':
        return this.subject.refs;
      case 'overview':
      case 'lineage':
        return undefined;
    }
  }

  reveal(): void {
    this.panel.reveal();
  }

  async pageData(): Promise<PageData> {
    const registry = await this.session.get();
    if (this.subject.kind === 'comparison') return { kind: 'comparison', comparison: await registry.compare(this.subject.before, this.subject.after) };
    if (this.subject.kind === 'chart') return { kind: 'chart', history: registry.metricHistory(this.subject.model) };
    if (this.subject.kind === 'log') return { kind: 'log', model: this.subject.model, events: registry.log(this.subject.model ? { model: this.subject.model } : {}) };
    if (this.subject.kind === 'columns') return { kind: 'columns', columns: registry.compareColumns(this.subject.refs) };
    if (this.subject.kind === 'overview') return overviewPage(registry);
    if (this.subject.kind === 'lineage') return lineagePage(registry, this.subject.subject);
    const details = registry.version(this.subject.ref);
    const events = registry.log({ model: details.model }).filter((event) => event.version === details.number);
    const governance = { guards: registry.stageGuards(this.subject.ref), recorded: lastRecordedGates(events) };
    return { kind: 'details', details, uri: `models:/${details.model}/${details.number}`, events, governance };
  }

  private async send(): Promise<void> {
    try {
      const message: HostMessage = { type: 'show', page: await this.pageData() };
      await this.panel.webview.postMessage(message);
      if (message.page.kind === 'overview') await this.panel.webview.postMessage(overviewVocabulary(await this.session.get()));
    } catch (error) {
      // A version of this page can vanish from view (registry moved, reopened elsewhere): say so on the page.
      await this.panel.webview.postMessage({ type: 'notice', text: error instanceof Error ? error.message : String(error) } satisfies HostMessage);
    }
  }

  private async receive(message: unknown): Promise<void> {
    if (!isWebviewMessage(message)) {
      this.output.warn(`Ignored a malformed message from the version page: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    const { refs } = this;
    if ('ref' in message && refs && !refs.includes(message.ref)) {
      this.output.warn(`Ignored '${message.type}' for ${message.ref}: this page shows ${refs.join(', ')}.`);
      return;
    }
    try {
      await this.act(message);
    } catch (error) {
      void reportError(error, this.output, 'Version page');
    }
  }

  private async act(message: WebviewMessage): Promise<void> {
    if (isRegistryPageRequest(message)) {
      if (!this.refs) await actOnRegistryPage(message, this.session, (answer) => this.panel.webview.postMessage(answer));
      return;
    }
    switch (message.type) {
      case 'ready':
        this.readyResolve?.();
        return this.send();
      case 'promote':
        await vscode.commands.executeCommand(CommandIds.promoteVersion, message.ref);
        return;
      case 'setAlias':
        await vscode.commands.executeCommand(CommandIds.setAlias, message.ref);
        return;
      case 'copyUri':
        await vscode.commands.executeCommand(CommandIds.copyVersionUri, message.ref);
        return;
      case 'copyLoadSnippet':
        await vscode.commands.executeCommand(CommandIds.copyLoadSnippet, message.ref);
        return;
      case 'showManifest':
        await vscode.commands.executeCommand(CommandIds.showManifest, message.ref);
        return;
      case 'showChart': {
        const registry = await this.session.get();
        await vscode.commands.executeCommand(CommandIds.showMetricsChart, registry.version(message.ref).model);
        return;
      }
      case 'revealArtifact': {
        const registry = await this.session.get();
        const resolved = registry.resolve(message.ref);
        const artifact = resolved.artifacts.find((candidate) => candidate.path === message.path);
        if (!artifact) throw new Error(`${message.ref} has no artifact '${message.path}'.`);
        await vscode.commands.executeCommand(CommandIds.revealArtifact, new ArtifactNode(resolved.version.model, resolved.version.number, artifact));
        return;
      }
      case 'openCommit': {
        const registry = await this.session.get();
        // Only a commit the shown version records, not whatever the page names.
        if (registry.version(message.ref).manifest.lineage.git?.commit !== message.commit) throw new Error(`${message.ref} was not built from commit ${message.commit}.`);
        const document = await vscode.workspace.openTextDocument(commitDocumentUri(message.commit));
        await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
        return;
      }
      case 'requestApproval':
        await vscode.commands.executeCommand(CommandIds.requestApproval, message.ref, undefined, { stage: message.stage });
        return;
      case 'overridePromotion':
        await vscode.commands.executeCommand(CommandIds.overridePromotion, message.ref, message.stage);
        return;
      case 'approveRequest':
      case 'rejectRequest': {
        const registry = await this.session.get();
        const version = registry.version(message.ref);
        // Only a request about the version this page shows.
        if (!registry.approvalRequests({ model: version.model }).some((request) => request.id === message.request && request.version === version.number)) throw new Error(`No approval request '${message.request}' for ${message.ref}.`);
        await vscode.commands.executeCommand(message.type === 'approveRequest' ? CommandIds.approveRequest : CommandIds.rejectRequest, { request: message.request });
        return;
      }
      case 'openManifestDiff': {
        if (this.subject.kind !== 'comparison') return;
        const [before, after] = [this.subject.before, this.subject.after].map((ref) => ref.split('/'));
        await vscode.commands.executeCommand('vscode.diff', versionDocumentUri(before[0], Number(before[1])), versionDocumentUri(after[0], Number(after[1])), `${this.subject.before} ↔ ${this.subject.after} (manifests)`);
        return;
      }
    }
  }

  dispose(): void {
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    this.panel.dispose();
  }
}
