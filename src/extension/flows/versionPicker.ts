import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import type { Registry } from '../../registry/registry';
import { VersionNode } from '../tree/versionNode';
import { versionLabel } from '../../core/versionLabels';
import { timeText } from '../../core/timeText';
import { plural } from '../../core/plural';

/** A version named by a tree node, a reference string (`name/3`, `name@production` …) or a ModelVersion. */
export type VersionArgument = VersionNode | string | ModelVersion;

/**
 * The versions a command acts on: the tree's multi-selection, the clicked node, a reference passed by
 * a keybinding or task, or — with nothing given — none (the caller then asks).
 */
export function versionsFromArguments(registry: Registry, clicked: unknown, selected: unknown): ModelVersion[] {
  const all = Array.isArray(selected) && selected.length > 0 ? selected : clicked === undefined ? [] : [clicked];
  return all.flatMap((argument: unknown) => {
    if (argument instanceof VersionNode) return [registry.version(argument.ref)];
    if (typeof argument === 'string') return [registry.version(argument)];
    if (argument && typeof argument === 'object' && 'model' in argument && 'number' in argument) {
      const { model, number } = argument as { model: string; number: number };
      return [registry.version(formatRef(model, number))];
    }
    return [];
  });
}

export function describeVersion(version: ModelVersion): string {
  return versionLabel(version);
}

/** Asks for a model, then one of its versions (newest first). */
export async function pickVersion(registry: Registry, title: string, filter: (version: ModelVersion) => boolean = () => true): Promise<ModelVersion | undefined> {
  const model = await pickModel(registry, title);
  if (!model) return undefined;
  const versions = registry.versions(model).filter(filter);
  if (versions.length === 0) {
    void vscode.window.showInformationMessage(`${model} has no version that fits.`);
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(
    versions.map((version) => ({ label: `#${version.number}`, description: describeVersion(version), detail: `${timeText(version.createdAt)} by ${version.createdBy}${version.description ? ` — ${version.description}` : ''}`, version })),
    { title: `${title}: version of ${model}`, placeHolder: 'Choose a version' },
  );
  return choice?.version;
}

/** Asks for a model, then several of its versions (newest first); none when cancelled. */
export async function pickVersions(registry: Registry, title: string): Promise<ModelVersion[]> {
  const model = await pickModel(registry, title);
  if (!model) return [];
  const choice = await vscode.window.showQuickPick(
    registry.versions(model).map((version) => ({ label: `#${version.number}`, description: describeVersion(version), detail: `${timeText(version.createdAt)} by ${version.createdBy}`, version })),
    { title: `${title}: versions of ${model}`, placeHolder: 'Choose 2 to 5 versions', canPickMany: true },
  );
  return (choice ?? []).map((item) => item.version);
}

export async function pickModel(registry: Registry, title: string): Promise<string | undefined> {
  const models = registry.models();
  if (models.length === 0) {
    void vscode.window.showInformationMessage('No models are registered yet. Register a version first.');
    return undefined;
  }
  if (models.length === 1) return models[0].name;
  const choice = await vscode.window.showQuickPick(
    models.map((model) => ({ label: model.name, description: plural(model.versionCount, 'version'), detail: model.description ?? undefined })),
    { title, placeHolder: 'Choose a model' },
  );
  return choice?.label;
}
