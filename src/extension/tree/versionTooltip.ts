import * as vscode from 'vscode';
import type { ModelVersion } from '../../core/modelVersion';
import { appendWarnings } from './versionWarnings';
import { timeText } from '../../core/timeText';

/** The key facts of a version on hover; every registry value is escaped, never read as markdown. */
export function versionTooltip(version: ModelVersion, warnings: string[] = []): vscode.MarkdownString {
  const text = new vscode.MarkdownString(undefined, true);
  text.appendMarkdown('**');
  text.appendText(`${version.model} / ${version.number}`);
  text.appendMarkdown('**');
  if (version.semver) text.appendText(`  v${version.semver}`);
  text.appendMarkdown('\n\n');
  const row = (label: string, value: string | null | undefined) => {
    if (!value) return;
    text.appendMarkdown(`${label}: `);
    text.appendText(value);
    text.appendMarkdown('  \n');
  };
  row('Stage', version.stage);
  row('Aliases', version.aliases.join(', '));
  row('Created', `${timeText(version.createdAt)} by ${version.createdBy}`);
  row('Commit', version.gitCommit ? `${version.gitCommit.slice(0, 12)}${version.gitBranch ? ` (${version.gitBranch})` : ''}` : undefined);
  row('Description', version.description);
  row('Tags', Object.entries(version.tags).map(([key, value]) => `${key}=${value}`).join(', '));
  row('Fingerprint', version.fingerprint.slice(0, 16));
  appendWarnings(text, warnings);
  return text;
}
