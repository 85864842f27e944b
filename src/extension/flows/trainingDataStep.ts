import * as vscode from 'vscode';
import type { StepTitles } from './stepTitles';

/**
 * The register flow's data step: what the version was trained on, as `mreg register --data` takes
 * it (files and folders are hashed, URIs recorded as given; DVC-tracked data is found by the
 * capture either way). "None" is the first choice, so an Enter records nothing by mistake.
 * Resolves to the chosen entries ([] for none), undefined when the person cancelled.
 */
export async function pickTrainingData(steps: StepTitles): Promise<string[] | undefined> {
  const none = { label: 'No training data', description: 'DVC-tracked data is still recorded from its .dvc files' };
  const files = { label: '$(files) Choose files or folders…', description: 'hashed as they are now' };
  const uri = { label: '$(link) Enter a URI…', description: 's3://…, gs://…, https://…, a dataset name' };
  const choice = await vscode.window.showQuickPick([none, files, uri], { title: steps.next('training data'), placeHolder: 'What was this version trained on?', ignoreFocusOut: true });
  if (choice === undefined) return undefined;
  if (choice === none) return [];
  if (choice === files) {
    const picked = await vscode.window.showOpenDialog({ canSelectFiles: true, canSelectFolders: true, canSelectMany: true, openLabel: 'Record as training data' });
    return picked ? picked.map((file) => file.fsPath) : undefined;
  }
  const entered = await vscode.window.showInputBox({
    title: steps.current('training data URI'),
    prompt: 'One URI, or several separated by spaces, recorded as given (nothing is downloaded)',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Enter at least one URI, or press Escape and choose "No training data"'),
  });
  return entered === undefined ? undefined : entered.trim().split(/\s+/);
}
