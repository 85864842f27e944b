import { statSync } from 'node:fs';
import * as path from 'node:path';
import { capturedPartsFacts, formatBytes, type CapturedParts } from '../../core/textReports';

/** What the confirmation before registering shows, and whether there is anything to register. */
export interface RegistrationSummary {
  /** One fact per line, "Label: value", readable in the dialog's proportional font (no column padding). */
  lines: string[];
  /** Chosen files that are gone: registering cannot go ahead. */
  missing: string[];
}

export interface SummaryInput {
  projectRoot: string;
  model: string;
  newModel: boolean;
  paths: string[];
  semver?: string;
  description?: string;
}

const LABELS: Record<string, string> = { git: 'Git', data: 'Data', params: 'Params', metrics: 'Metrics', run: 'Run', environment: 'Environment', WARNING: 'Warning', dvc: 'DVC' };

export function registrationSummary(input: SummaryInput, captured: CapturedParts): RegistrationSummary {
  const missing: string[] = [];
  const files = input.paths.map((file) => {
    const relative = path.relative(input.projectRoot, file) || file;
    try {
      const stats = statSync(file);
      return stats.isDirectory() ? `${relative}/ (folder)` : `${relative} (${formatBytes(stats.size)})`;
    } catch {
      missing.push(relative);
      return `${relative} (missing)`;
    }
  });
  const lines = [
    `Model: ${input.model}${input.newModel ? ' (new)' : ''}`,
    `${files.length === 1 ? 'File' : 'Files'}: ${files.join(', ')}`,
    `Semver: ${input.semver ?? 'none'}`,
    `Description: ${input.description ?? 'none'}`,
    ...capturedPartsFacts(captured).map(([label, value]) => `${LABELS[label] ?? label}: ${value}`),
  ];
  return { lines, missing };
}
