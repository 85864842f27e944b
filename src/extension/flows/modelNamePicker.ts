import * as vscode from 'vscode';
import { modelNameProblem } from '../../core/names';
import type { Registry } from '../../registry/registry';

interface ModelItem extends vscode.QuickPickItem {
  model?: string;
}

/**
 * Picks an existing model or names a new one, checking the name rules as the person types: an
 * invalid name shows why, and cannot be accepted.
 */
export function pickOrNameModel(registry: Registry, title: string, suggestion: string | undefined): Promise<string | undefined> {
  const existing = registry.models();
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = title;
  pick.placeholder = 'Choose a model, or type the name of a new one';
  pick.ignoreFocusOut = true;
  const existingItems: ModelItem[] = existing.map((model) => ({ label: model.name, description: `${model.versionCount} versions`, model: model.name }));
  const update = () => {
    const typed = pick.value.trim();
    const known = existing.some((model) => model.name === typed);
    const items = [...existingItems];
    if (typed && !known) {
      const problem = modelNameProblem(typed);
      items.unshift(problem ? { label: `$(error) ${problem}`, alwaysShow: true } : { label: `$(add) New model '${typed}'`, alwaysShow: true, model: typed });
    }
    pick.items = items;
  };
  pick.value = suggestion && !existing.some((model) => model.name === suggestion) ? suggestion : '';
  update();
  return new Promise((resolve) => {
    pick.onDidChangeValue(update);
    pick.onDidAccept(() => {
      // The list is rebuilt as the person types; a fast Enter may see a stale selection, so the
      // typed text wins unless the selection is an existing model that the text filters to.
      const typed = pick.value.trim();
      const selected = pick.selectedItems[0]?.model;
      const existingSelected = selected !== undefined && existing.some((m) => m.name === selected) && selected.includes(typed);
      const model = existingSelected ? selected : typed && !modelNameProblem(typed) ? typed : undefined;
      if (!model) return;
      resolve(model);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined);
      pick.dispose();
    });
    pick.show();
  });
}

/** A model name derived from a file name: `Fraud Detector v2.onnx` → `fraud-detector-v2`. */
export function suggestModelName(file: string): string {
  const base = file.replace(/\\/g, '/').split('/').pop() ?? '';
  const name = base.replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '');
  return name.slice(0, 128);
}
