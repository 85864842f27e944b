import * as vscode from 'vscode';
import type { Registry } from '../../registry/registry';
import type { CompletionItem } from '../../core/search/queryCompletion';

interface Choice extends vscode.QuickPickItem {
  /** Absent on the first row, which applies the filter as typed. */
  completion?: CompletionItem;
}

const KIND_ICONS: Record<CompletionItem['kind'], string> = { field: '$(symbol-field)', operator: '$(symbol-operator)', value: '$(symbol-value)', keyword: '$(symbol-keyword)' };

/**
 * Asks for the Models view's filter: plain text, or a query in the search language with completion
 * as you type (fields, operators, values the registry holds). Choosing a suggestion inserts it and
 * keeps the box open; Enter on the first row applies the filter. Resolves to undefined on Escape.
 */
export function askForFilter(registry: Registry, initial = ''): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<Choice>();
  pick.title = 'Filter Models';
  pick.placeholder = "Text (fraud, @champion, v1.2) or a query: metrics.accuracy > 0.9 AND stage = 'Production'";
  pick.value = initial;
  pick.matchOnDescription = false;
  pick.ignoreFocusOut = true;

  const update = () => {
    const text = pick.value;
    const trimmed = text.trim();
    const problem = trimmed ? registry.validateQuery(trimmed) : undefined;
    const apply: Choice = {
      label: trimmed ? `$(filter) Filter: ${trimmed}` : '$(clear-all) Show everything',
      description: !trimmed ? undefined : problem ? 'as text (not a valid query)' : 'as a query',
      detail: problem && /[=<>]|\b(AND|OR|LIKE|IN)\b/i.test(trimmed) ? problem.detail : undefined,
      alwaysShow: true,
    };
    const { from, to, items } = registry.completeQuery(text, text.length);
    const suggestions: Choice[] = items.slice(0, 50).map((completion) => ({
      label: `${KIND_ICONS[completion.kind]} ${completion.label}`,
      description: completion.detail,
      alwaysShow: true,
      completion: { ...completion, insertText: `${text.slice(0, from)}${completion.insertText}${text.slice(to)}` },
    }));
    pick.items = [apply, ...suggestions];
    pick.activeItems = [apply];
  };

  return new Promise((resolve) => {
    let settled = false;
    const finish = (value: string | undefined) => {
      if (settled) return;
      settled = true;
      resolve(value);
      pick.dispose();
    };
    pick.onDidChangeValue(update);
    pick.onDidAccept(() => {
      const chosen = pick.activeItems[0];
      if (chosen?.completion) {
        const inserted = chosen.completion.insertText;
        pick.value = /[\s(]$/.test(inserted) || inserted.endsWith('.') ? inserted : `${inserted} `;
        update();
        return;
      }
      finish(pick.value);
    });
    pick.onDidHide(() => finish(undefined));
    update();
    pick.show();
  });
}
