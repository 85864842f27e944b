import { provideVSCodeDesignSystem, vsCodeButton, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow } from '@vscode/webview-ui-toolkit';

/**
 * The only place that knows which web-component library draws our controls: swapping
 * @vscode/webview-ui-toolkit (archived upstream) for @vscode-elements/elements means changing
 * this file alone.
 */
export function registerUiComponents(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell());
}

