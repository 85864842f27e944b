import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow } from '@vscode/webview-ui-toolkit';

/**
 * The only place that knows which web-component library draws our controls. Pages ask for a
 * button or a grid by our names; swapping @vscode/webview-ui-toolkit (archived upstream) for
 * @vscode-elements/elements means changing this file alone.
 */
export function registerUiComponents(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell());
}

export const UI = {
  button: 'vscode-button',
  grid: 'vscode-data-grid',
  row: 'vscode-data-grid-row',
  cell: 'vscode-data-grid-cell',
} as const;
