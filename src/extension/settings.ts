import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MetricDirection } from '../core/manifest';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

/** The extension's settings, read in one place with their defaults and meaning. */
export class Settings {
  private get config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('modelRegistry');
  }

  /** An explicit registry folder, resolved against the workspace folder; undefined means the default. */
  registryPath(workspaceFolder: string): string | undefined {
    const value = this.config.get<string>('registryPath', '').trim();
    return value ? path.resolve(workspaceFolder, value) : undefined;
  }

  weightFilePatterns(): string[] {
    return this.config.get<string[]>('weightFilePatterns', []);
  }

  /** The extensions (with the dot) of patterns of the form `*.ext`, for the Explorer menu. */
  weightFileExtensions(): string[] {
    return this.weightFilePatterns()
      .map((pattern) => /^\*(\.[^*?/\\[\]{}]+)$/.exec(pattern.trim())?.[1])
      .filter((ext): ext is string => ext !== undefined);
  }

  metricDirections(): Record<string, MetricDirection> {
    const value = this.config.get<Record<string, unknown>>('metricDirections', {});
    const directions = userKeyedRecord<MetricDirection>();
    for (const [metric, direction] of Object.entries(value)) if (direction === 'max' || direction === 'min') setOwn(directions, metric, direction);
    return directions;
  }

  confirmPromoteToProduction(): boolean {
    return this.config.get<boolean>('confirm.promoteToProduction', true);
  }

  /** Refuse to register from a git working tree with uncommitted changes. */
  requireCleanTree(): boolean {
    return this.config.get<boolean>('requireCleanTree', false);
  }

  confirmArchive(): boolean {
    return this.config.get<boolean>('confirm.archive', true);
  }

  /** How often to sync with the shared store in the background; 0 turns the interval off. */
  syncIntervalSeconds(): number {
    const value = this.config.get<number>('sync.intervalSeconds', 300);
    return Number.isFinite(value) && value > 0 ? Math.max(10, value) : 0;
  }

  affectsSyncInterval(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration('modelRegistry.sync.intervalSeconds');
  }

  affectsRegistryLocation(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration('modelRegistry.registryPath');
  }

  affectsWeightFiles(event: vscode.ConfigurationChangeEvent): boolean {
    return event.affectsConfiguration('modelRegistry.weightFilePatterns');
  }
}
