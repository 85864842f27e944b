import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDataGrid, vsCodeDataGridCell, vsCodeDataGridRow, vsCodeTextField } from '@vscode/webview-ui-toolkit';

/**
 * The only place that knows which web-component library draws our controls: swapping
 * @vscode/webview-ui-toolkit (archived upstream) for @vscode-elements/elements means changing
 * this file alone.
 */
export function registerUiComponents(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(), vsCodeTextField());
}

/** A themed button; `secondary` for the less important actions. */
export function button(label: string, onClick: () => void, secondary = false): HTMLElement {
  const element = document.createElement('vscode-button');
  element.textContent = label;
  if (secondary) element.setAttribute('appearance', 'secondary');
  // A disabled toolkit button can still receive a click on its host element.
  element.addEventListener('click', () => {
    if (!element.hasAttribute('disabled')) onClick();
  });
  return element;
}

/** A themed checkbox whose `checked` state is reported on every change. */
export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const element = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  element.textContent = label;
  element.checked = checked;
  if (checked) element.setAttribute('checked', '');
  element.addEventListener('change', () => onChange(element.checked));
  return element;
}

/** A themed text field; `onInput` gets its value on every keystroke. */
export function textField(label: string, value: string, placeholder: string, onInput: (value: string) => void): HTMLElement & { value: string } {
  const element = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  element.textContent = label;
  element.setAttribute('placeholder', placeholder);
  element.value = value;
  element.addEventListener('input', () => onInput(element.value));
  return element;
}

/** Turns a button from `button()` on or off. */
export function setEnabled(element: HTMLElement, enabled: boolean): void {
  if (enabled) element.removeAttribute('disabled');
  else element.setAttribute('disabled', '');
}
