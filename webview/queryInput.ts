import { completeQuery, type CompletionItem } from '../src/core/search/queryCompletion';
import type { QueryVocabulary } from '../src/core/search/versionSearch';
import { el } from './dom';
import { textField } from './uiComponents';

/** Suggestions shown at once: the Models view's filter shows as many. */
const MAX_SUGGESTIONS = 50;

/**
 * A filter box that speaks the search language, with the Models view filter's completion
 * (completeQuery over the registry's vocabulary, here in the page): fields, operators, known
 * values and AND / OR as you type (field names alone until the vocabulary has come). ArrowDown
 * moves into the suggestions, Enter inserts one and comes back to the box, Escape closes them;
 * Enter in the box applies the filter at once.
 */
export function queryInput(options: { value: string; vocabulary: () => QueryVocabulary | undefined; onChange: (text: string, now: boolean) => void }): HTMLElement {
  const field = textField('Filter', options.value, "fraud, or a query: metrics.auc > 0.9 AND stage = 'Production'", (text) => {
    suggest(text);
    options.onChange(text, false);
  });
  field.id = 'overview-filter';
  const list = el('ul', { class: 'completions', attrs: { role: 'listbox', id: 'overview-completions', 'aria-label': 'Suggestions' } });
  list.hidden = true;
  let items: (CompletionItem & { replaced: string })[] = [];

  const insert = (item: CompletionItem & { replaced: string }) => {
    const next = /[\s(]$/.test(item.replaced) || item.replaced.endsWith('.') ? item.replaced : `${item.replaced} `;
    field.value = next;
    field.focus();
    suggest(next);
    options.onChange(next, false);
  };

  function suggest(text: string): void {
    const { from, to, items: found } = completeQuery(text, text.length, options.vocabulary());
    items = text.trim() === '' ? [] : found.slice(0, MAX_SUGGESTIONS).map((item) => ({ ...item, replaced: `${text.slice(0, from)}${item.insertText}${text.slice(to)}` }));
    list.replaceChildren(
      ...items.map((item, index) => {
        const option = el('li', { class: `completion kind-${item.kind}`, attrs: { role: 'option', tabindex: '-1', id: `completion-${index}`, 'aria-selected': 'false' } }, item.label, item.detail ? el('span', { class: 'muted' }, ` ${item.detail}`) : '');
        option.addEventListener('click', () => insert(item));
        return option;
      }),
    );
    list.hidden = items.length === 0;
  }

  const options_ = () => Array.from(list.querySelectorAll<HTMLElement>('li[role="option"]'));
  const move = (to: number) => {
    const all = options_();
    if (all.length === 0) return;
    const index = Math.max(0, Math.min(all.length - 1, to));
    for (const option of all) option.setAttribute('aria-selected', 'false');
    all[index].setAttribute('aria-selected', 'true');
    all[index].focus();
  };

  field.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && !list.hidden) {
      event.preventDefault();
      move(0);
    } else if (event.key === 'Enter') {
      list.hidden = true;
      options.onChange(field.value, true);
    } else if (event.key === 'Escape') {
      list.hidden = true;
    }
  });
  list.addEventListener('keydown', (event) => {
    const all = options_();
    const index = all.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (event.key === 'ArrowUp' && index === 0) field.focus();
      else move(index + (event.key === 'ArrowDown' ? 1 : -1));
    } else if (event.key === 'Enter' && index >= 0) {
      event.preventDefault();
      insert(items[index]);
    } else if (event.key === 'Escape') {
      list.hidden = true;
      field.focus();
    }
  });
  return el('div', { class: 'query-input' }, field, list);
}
