import { eventSentence, eventSubject } from '../src/core/eventSentences';
import type { AuditEvent } from '../src/core/modelVersion';
import { plural } from '../src/core/plural';
import { timeText } from '../src/core/timeText';
import type { LogPage } from '../src/extension/webviews/protocol';
import { el, table } from './dom';
import type { PageContext } from './pages';

/**
 * The audit log as a table a person reads: when, who, which version, what happened as a sentence
 * and why, newest first, with a filter box that narrows the rows to those containing every word
 * typed (in any column, or the event's type such as `stage_changed`).
 */
export function renderAuditLog(page: LogPage, context: PageContext): HTMLElement {
  const rows = page.events.map((event) => ({ event, sentence: eventSentence(event), searchable: searchableText(event) }));
  const holder = el('div', { class: 'log-holder' });
  const count = el('p', { class: 'muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const input = el('input', { class: 'log-filter', attrs: { type: 'search', id: 'log-filter', placeholder: 'Filter: actor, version, action, reason…', 'aria-controls': 'audit-log-table' } });
  input.value = context.state.logFilter;
  const draw = () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    const shownRows = rows.filter((row) => words.every((word) => row.searchable.includes(word)));
    count.textContent = words.length === 0 ? plural(rows.length, 'event') : `${shownRows.length} of ${plural(rows.length, 'event')}`;
    const body = shownRows.length === 0
      ? el('p', { class: 'muted' }, rows.length === 0 ? 'No events yet.' : 'No event matches the filter.')
      : table(['When', 'By', 'Version', 'What', 'Reason'], shownRows, ({ event, sentence }) => [
          el('time', { attrs: { datetime: event.time } }, timeText(event.time)),
          event.actor,
          eventSubject(event),
          sentence,
          event.reason ?? '',
        ], 'values audit-log');
    body.id = 'audit-log-table';
    holder.replaceChildren(body);
  };
  input.addEventListener('input', () => {
    context.save({ ...context.state, logFilter: input.value });
    draw();
  });
  draw();
  return el(
    'div',
    { class: 'page log', attrs: { 'data-page': `log:${page.model ?? ''}` } },
    el('h1', null, page.model ? `${page.model}: audit log` : 'Audit log'),
    el('div', { class: 'filters' }, el('label', { attrs: { for: 'log-filter' } }, 'Filter events '), input),
    count,
    holder,
  );
}

function searchableText(event: AuditEvent): string {
  return [event.time, event.actor, eventSubject(event), eventSentence(event), event.reason ?? '', event.type].join('\n').toLowerCase();
}
