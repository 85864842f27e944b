import * as vscode from 'vscode';
import { modelNameProblem } from '../../core/names';
import type { Registry } from '../../registry/registry';
import { modelsByMatch } from './modelMatch';

interface ModelItem extends vscode.QuickPickItem {
  model?: string;
}

const NEW_MODEL = '$(add) New model…';

/**
 * Picks an existing model or names a new one, checking the name rules as the person types: an
 * invalid name shows why, and cannot be accepted. Existing models come first, the best match for
 * the file on top; "New model…" is last. The box starts empty when models exist, so one Enter picks
 * the best match instead of creating a model named after the file; choosing "New model…" fills in
 * the suggested name to confirm or change.
 */
export function pickOrNameModel(registry: Registry, title: string, suggestion: string | undefined): Promise<string | undefined> {
  const existing = registry.models();
  const counts = new Map(existing.map((model) => [model.name, model.versionCount]));
  const pick = vscode.window.createQuickPick<ModelItem>();
  pick.title = title;
  pick.placeholder = existing.length > 0 ? 'Choose a model (best match first), or type the name of a new one' : 'Name the new model';
  pick.ignoreFocusOut = true;
  const existingItems: ModelItem[] = modelsByMatch([...counts.keys()], suggestion).map((name) => ({ label: name, description: versionCount(counts.get(name) ?? 0), model: name }));
  const update = () => {
    const typed = pick.value.trim();
    const known = counts.has(typed);
    const items = [...existingItems];
    if (typed && !known) {
      const problem = modelNameProblem(typed);
      items.push(problem ? { label: `$(error) ${problem}`, alwaysShow: true } : { label: `$(add) New model '${typed}'`, alwaysShow: true, model: typed });
    } else if (!typed) {
      items.push({ label: NEW_MODEL, detail: suggestion ? `Suggested name: ${suggestion}` : undefined, alwaysShow: true });
    }
    pick.items = items;
  };
  pick.value = existing.length === 0 && suggestion ? suggestion : '';
  update();
  return new Promise((resolve) => {
    pick.onDidChangeValue(update);
    pick.onDidAccept(() => {
      // The list is rebuilt as the person types; a fast Enter may see a stale selection, so the
      // typed text wins unless the selection is an existing model that the text filters to.
      const typed = pick.value.trim();
      const chosen = pick.selectedItems[0];
      if (!typed && chosen?.label === NEW_MODEL) {
        // Nothing is created yet: the suggested name goes into the box, for a second Enter.
        pick.value = suggestion ?? '';
        update();
        return;
      }
      const selected = chosen?.model;
      const existingSelected = selected !== undefined && counts.has(selected) && selected.includes(typed);
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

function versionCount(count: number): string {
  return `${count} version${count === 1 ? '' : 's'}`;
}

/** A model name derived from a file name: `Fraud Detector v2.onnx` → `fraud-detector-v2`. */
export function suggestModelName(file: string): string {
  const base = file.replace(/\\/g, '/').split('/').pop() ?? '';
  const name = base.replace(/\.[^.]+$/, '').toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|-+$/g, '');
  return name.slice(0, 128);
}
