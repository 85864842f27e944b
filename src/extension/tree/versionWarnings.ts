import * as vscode from 'vscode';
import { versionWarningLines } from '../../core/inspectionReport';
import type { ModelVersion } from '../../core/modelVersion';
import { formatRef } from '../../core/refs';
import type { Registry } from '../../registry/registry';

/**
 * A version's security findings and unreadable files, read from its manifest. A manifest never
 * changes (its fingerprint is its hash), so what was read once is kept by fingerprint: redrawing
 * a tree of many versions reads each manifest once, not on every refresh.
 */
const byFingerprint = new Map<string, string[]>();
const REMEMBERED = 5000;

export function versionWarnings(registry: Registry, version: ModelVersion): string[] {
  const known = byFingerprint.get(version.fingerprint);
  if (known) return known;
  let lines: string[];
  try {
    lines = versionWarningLines(registry.version(formatRef(version.model, version.number)).manifest);
  } catch {
    // A manifest not readable here (not fetched from the shared store yet) must not hide the row;
    // expanding the version says what is wrong. Not remembered: it is read again next time.
    return [];
  }
  if (byFingerprint.size >= REMEMBERED) byFingerprint.delete(byFingerprint.keys().next().value as string);
  byFingerprint.set(version.fingerprint, lines);
  return lines;
}

/** The icon of a row whose file has findings: the warning sign in the theme's warning colour. */
export function warningIcon(): vscode.ThemeIcon {
  return new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
}

/** "1 warning", "3 warnings": said in the row's description, so it is read out, not only drawn. */
export function warningCount(lines: string[]): string {
  return `${lines.length} warning${lines.length === 1 ? '' : 's'}`;
}

/** Appends the warnings to a hover, each as escaped text: a finding's message comes from an untrusted file. */
export function appendWarnings(text: vscode.MarkdownString, lines: string[]): void {
  if (lines.length === 0) return;
  text.appendMarkdown('\n\n$(warning) **Read from the files, which were never executed:**  \n');
  for (const line of lines) {
    text.appendText(line);
    text.appendMarkdown('  \n');
  }
}
