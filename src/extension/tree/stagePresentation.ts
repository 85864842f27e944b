import * as vscode from 'vscode';
import type { Stage } from '../../core/stage';

/** How each stage looks in trees: an icon shape plus a theme colour, so it reads without colour too. */
export function stageIcon(stage: Stage): vscode.ThemeIcon {
  switch (stage) {
    case 'Production':
      return new vscode.ThemeIcon('rocket', new vscode.ThemeColor('charts.green'));
    case 'Staging':
      return new vscode.ThemeIcon('beaker', new vscode.ThemeColor('charts.yellow'));
    case 'Archived':
      return new vscode.ThemeIcon('archive', new vscode.ThemeColor('disabledForeground'));
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}
