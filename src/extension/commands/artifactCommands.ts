import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { artifactSourcePath } from '../../core/artifactSource';
import type { Registry } from '../../registry/registry';
import { formatRef } from '../../core/refs';
import { opensAsText } from '../flows/textArtifacts';
import { CommandIds } from '../commandIds';
import { ArtifactNode } from '../tree/artifactNode';
import type { CommandContext, CommandTable } from './commandContext';

/** Open and reveal an artifact: the workspace file it came from while unchanged, else the verified blob. */
export function artifactCommands(context: CommandContext): CommandTable {
  const { session } = context;

  async function locate(node: unknown): Promise<{ uri: vscode.Uri; inWorkspace: boolean } | undefined> {
    if (!(node instanceof ArtifactNode)) {
      void vscode.window.showInformationMessage('Choose an artifact under a version in the Model Registry view.');
      return undefined;
    }
    const registry = await session.get();
    const source = unchangedSource(registry, node);
    return source ? { uri: vscode.Uri.file(source), inWorkspace: true } : { uri: vscode.Uri.file(node.artifact.blobPath), inWorkspace: false };
  }

  return {
    [CommandIds.openArtifact]: async (node) => {
      // Weights are bytes, not text: what a person can read of them is what the inspectors found, on the version's page.
      if (node instanceof ArtifactNode && !opensAsText(node.artifact.path, node.artifact.mediaType)) {
        const registry = await session.get();
        return context.versionPanels.showVersion(registry.version(formatRef(node.model, node.number)));
      }
      const target = await locate(node);
      if (target) await vscode.commands.executeCommand('vscode.open', target.uri, { preview: true });
      return target?.uri;
    },
    [CommandIds.revealArtifact]: async (node) => {
      const target = await locate(node);
      if (!target) return undefined;
      await vscode.commands.executeCommand(target.inWorkspace ? 'revealInExplorer' : 'revealFileInOS', target.uri);
      return target.uri;
    },
  };
}

function unchangedSource(registry: Registry, node: ArtifactNode): string | undefined {
  const { manifest } = registry.version(formatRef(node.model, node.number));
  const source = artifactSourcePath(manifest, node.artifact.path, registry.projectRoot);
  if (!source || !existsSync(source)) return undefined;
  const status = registry.fileStatus(source);
  return status?.state === 'registered' && status.versions.some((v) => v.model === node.model && v.number === node.number) ? source : undefined;
}
