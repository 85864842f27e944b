import * as vscode from 'vscode';
import { eventsText } from '../core/textReports';
import { safeGit } from '../lineage/safeGit';
import type { RegistrySession } from './registrySession';

export const REGISTRY_DOCUMENT_SCHEME = 'model-registry';

/** `model-registry:/<model>/<number>.json`: a version and its manifest as a read-only document. */
export function versionDocumentUri(model: string, number: number): vscode.Uri {
  return vscode.Uri.from({ scheme: REGISTRY_DOCUMENT_SCHEME, path: `/${model}/${number}.json` });
}

/** `model-registry:/audit-log.txt` (optionally for one model). */
export function auditLogUri(model?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: REGISTRY_DOCUMENT_SCHEME, path: model ? `/${model}/audit-log.txt` : '/audit-log.txt' });
}

/** `model-registry:/commits/<sha>.txt`: a commit a version was built from, as local git shows it. */
export function commitDocumentUri(commit: string): vscode.Uri {
  return vscode.Uri.from({ scheme: REGISTRY_DOCUMENT_SCHEME, path: `/commits/${commit}.txt` });
}

/**
 * Read-only documents over the registry: manifests (for viewing and for VS Code's diff editor) and
 * the audit log. They update when the registry changes.
 */
export class RegistryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly session: RegistrySession) {
    this.subscription = session.onDidChange(() => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme === REGISTRY_DOCUMENT_SCHEME) this.changeEmitter.fire(document.uri);
      }
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const registry = await this.session.get();
    const log = /^\/(?:([^/]+)\/)?audit-log\.txt$/.exec(uri.path);
    if (log) return `${eventsText(registry.log({ model: log[1] }))}\n`;
    const commit = /^\/commits\/([0-9a-f]{7,64})\.txt$/.exec(uri.path);
    if (commit) return commitText(registry.projectRoot, commit[1]);
    const version = /^\/([^/]+)\/(\d+)\.json$/.exec(uri.path);
    if (!version) throw new Error(`Not a registry document: ${uri.toString()}`);
    const { manifest, ...details } = registry.version(`${version[1]}/${version[2]}`);
    return `${JSON.stringify({ version: details, manifest }, null, 2)}\n`;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

/** Message and changed files of a commit; no diff drivers or text conversions run. */
async function commitText(projectRoot: string, commit: string): Promise<string> {
  try {
    return await safeGit(projectRoot).raw(['show', '--stat', '--format=fuller', '--no-ext-diff', '--no-textconv', '--end-of-options', commit]);
  } catch (error) {
    return `Commit ${commit} is not in the local git repository of ${projectRoot}.\n\n${error instanceof Error ? error.message : String(error)}\n`;
  }
}
