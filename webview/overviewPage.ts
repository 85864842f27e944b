import { formatRef } from '../src/core/refs';
import type { OverviewRow } from '../src/core/registryOverview';
import type { WebviewMessage } from '../src/extension/webviews/protocol';
import type { OverviewPage, OverviewVersionLine, RegistryPageAnswer } from '../src/extension/webviews/registryPagesProtocol';
import { el } from './dom';
import { OVERVIEW_COLUMNS, versionLineCells } from './overviewCells';
import { queryInput } from './queryInput';
import { button, setEnabled } from './uiComponents';
import { virtualTable, type VirtualTable } from './virtualRows';

/** One height for every row, so only the rows in view need drawing. */
const ROW_HEIGHT = 30;
/** A query's matching models are opened to their versions when there are at most this many. */
const AUTO_EXPAND = 20;
/** Typing pauses this long before the filter is asked for (Enter asks at once). */
const FILTER_DELAY_MS = 250;

type Line = { kind: 'model'; row: OverviewRow } | { kind: 'version'; row: OverviewRow; line: OverviewVersionLine } | { kind: 'note'; row: OverviewRow; text: string };
type Filtered = Extract<RegistryPageAnswer, { type: 'overviewFiltered' }>;

/** What the person has set on the page; kept across re-renders when the registry changes. */
const view = {
  sort: { column: 'model', descending: false },
  filter: '',
  answer: undefined as Filtered | undefined,
  expanded: new Map<string, OverviewVersionLine[] | undefined>(),
  selected: '',
};
let mounted: { receive(answer: RegistryPageAnswer): void } | undefined;

/** Hands the extension's answers (versions of a model, a filter's matches) to the overview on screen. */
export function answerOverview(answer: RegistryPageAnswer): void {
  mounted?.receive(answer);
}

const keyOf = (line: Line) => (line.kind === 'model' ? `model:${line.row.model}` : line.kind === 'version' ? `version:${line.line.ref}` : `note:${line.row.model}`);

/**
 * The Registry Overview: one row per model (latest, Production and Staging, main metrics with
 * their direction, pending approvals, last change, storage), sortable by any column, filtered in
 * the search language, each model opening to its versions. A selected row's version opens in the
 * details page, compares, promotes or shows its lineage through the extension's commands.
 */
export function renderOverview(page: OverviewPage, post: (message: WebviewMessage) => void): HTMLElement {
  const now = Date.now();
  let lines: Line[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const status = el('p', { class: 'muted filter-status', attrs: { role: 'status', id: 'overview-status' } });

  const askFilter = (text: string) => {
    view.filter = text;
    post({ type: 'filterOverview', text });
  };
  const filter = queryInput({
    value: view.filter,
    vocabulary: page.vocabulary,
    onChange: (text, now_) => {
      clearTimeout(timer);
      if (now_) askFilter(text);
      else timer = setTimeout(() => askFilter(text), FILTER_DELAY_MS);
    },
  });

  const head = el('tr', null, ...OVERVIEW_COLUMNS.map((column) => headerCell(column.id, column.title)));
  const table: VirtualTable<Line> = virtualTable<Line>({ className: 'overview', caption: 'Every model: select a row, then act on it with the buttons above; Enter opens its details, → and ← open and close its versions.', head, rowHeight: ROW_HEIGHT, row: drawLine });

  const actions = {
    details: button('Open Details', () => act('details')),
    compare: button('Compare with Production', () => act('compare'), true),
    promote: button('Promote…', () => act('promote'), true),
    lineage: button('Show Lineage', () => act('lineage'), true),
  };
  for (const [name, element] of Object.entries(actions)) element.id = `overview-${name}`;

  function headerCell(id: string, title: string): HTMLTableCellElement {
    const sorted = view.sort.column === id;
    const sort = el('button', { class: 'sort', attrs: { type: 'button', 'data-column': id } }, title, sorted ? (view.sort.descending ? ' ▼' : ' ▲') : '');
    sort.addEventListener('click', () => {
      view.sort = { column: id, descending: view.sort.column === id ? !view.sort.descending : id !== 'model' };
      head.replaceChildren(...OVERVIEW_COLUMNS.map((column) => headerCell(column.id, column.title)));
      refresh();
    });
    return el('th', { attrs: { scope: 'col', 'aria-sort': sorted ? (view.sort.descending ? 'descending' : 'ascending') : 'none', 'data-column': id } }, sort);
  }

  function drawLine(line: Line): HTMLTableRowElement {
    const key = keyOf(line);
    const selected = key === view.selected;
    const attrs: Record<string, string> = { tabindex: selected ? '0' : '-1', 'aria-selected': String(selected), 'data-key': key };
    if (line.kind === 'model') {
      const expanded = view.expanded.has(line.row.model);
      const toggle = el('button', { class: 'expand', attrs: { type: 'button', tabindex: '-1', 'aria-expanded': String(expanded), 'aria-label': `${expanded ? 'Hide' : 'Show'} the versions of ${line.row.model}` } }, expanded ? '▾' : '▸');
      toggle.addEventListener('click', (event) => {
        event.stopPropagation();
        toggleModel(line.row.model);
      });
      const cells = OVERVIEW_COLUMNS.map((column, index) => el('td', { class: `${column.numeric ? 'number' : ''} col-${column.id}`.trim() }, index === 0 ? toggle : '', column.cell(line.row, now)));
      return withEvents(el('tr', { class: `model-row${selected ? ' selected' : ''}`, attrs: { ...attrs, 'data-model': line.row.model } }, ...cells), line);
    }
    // Spaces between the parts, so they are read (and copied) as words, not run together.
    const content = line.kind === 'version' ? versionLineCells(line.line, now).filter(Boolean).flatMap((part, index) => [index > 0 ? ' ' : '', el('span', { class: 'part' }, part)]) : [el('span', { class: 'muted' }, line.text)];
    const cell = el('td', { class: 'version-line', attrs: { colspan: String(OVERVIEW_COLUMNS.length) } }, ...content);
    const extra: Record<string, string> = line.kind === 'version' ? { 'data-ref': line.line.ref } : {};
    return withEvents(el('tr', { class: `${line.kind}-row${selected ? ' selected' : ''}`, attrs: { ...attrs, ...extra } }, cell), line);
  }

  function withEvents(row: HTMLTableRowElement, line: Line): HTMLTableRowElement {
    row.addEventListener('click', () => select(line));
    row.addEventListener('dblclick', () => act('details'));
    return row;
  }

  function select(line: Line | undefined, focus = true): void {
    if (!line) return;
    view.selected = keyOf(line);
    table.reveal(lines.indexOf(line));
    if (focus) table.table.querySelector<HTMLElement>(`tr[data-key="${CSS.escape(view.selected)}"]`)?.focus();
    updateActions();
  }

  function selectedLine(): Line | undefined {
    return lines.find((line) => keyOf(line) === view.selected);
  }

  /** The version the buttons act on: the selected version, or the selected model's latest. */
  function target(): { ref?: string; production?: string; subject?: string } {
    const line = selectedLine();
    if (!line) return {};
    const production = line.row.production ? formatRef(line.row.model, line.row.production.number) : undefined;
    if (line.kind === 'version') return { ref: line.line.ref, production, subject: line.line.ref };
    return { ref: line.row.latest ? formatRef(line.row.model, line.row.latest.number) : undefined, production, subject: line.row.model };
  }

  function updateActions(): void {
    const { ref, production, subject } = target();
    setEnabled(actions.details, ref !== undefined);
    setEnabled(actions.promote, ref !== undefined);
    setEnabled(actions.compare, ref !== undefined && production !== undefined && production !== ref);
    setEnabled(actions.lineage, subject !== undefined);
  }

  function act(action: 'details' | 'compare' | 'promote' | 'lineage'): void {
    const { ref, production, subject } = target();
    if (action === 'details' && ref) post({ type: 'openVersion', ref });
    if (action === 'promote' && ref) post({ type: 'promote', ref });
    if (action === 'compare' && ref && production && production !== ref) post({ type: 'compareVersions', before: production, after: ref });
    if (action === 'lineage' && subject) post({ type: 'showLineage', subject });
  }

  function toggleModel(model: string, open?: boolean): void {
    const isOpen = view.expanded.has(model);
    if (open ?? !isOpen) {
      if (isOpen) return;
      view.expanded.set(model, undefined);
      post({ type: 'expandModel', model });
    } else {
      if (!isOpen) return;
      view.expanded.delete(model);
      if (view.selected.startsWith(`version:${model}/`)) view.selected = `model:${model}`;
    }
    refresh();
  }

  function visibleRows(): OverviewRow[] {
    const matches = view.answer?.matches;
    const rows = matches ? page.rows.filter((row) => Object.hasOwn(matches, row.model)) : [...page.rows];
    const column = OVERVIEW_COLUMNS.find((candidate) => candidate.id === view.sort.column) ?? OVERVIEW_COLUMNS[0];
    const sign = view.sort.descending ? -1 : 1;
    return rows.sort((a, b) => {
      const [x, y] = [column.sortValue(a), column.sortValue(b)];
      // Ties (two models without Production, say) stay in name order whichever way the column sorts.
      return (x < y ? -1 : x > y ? 1 : 0) * sign || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0);
    });
  }

  function refresh(): void {
    const answer = view.answer;
    const onlyNumbers = answer?.kind === 'query' ? answer.matches : null;
    lines = visibleRows().flatMap((row): Line[] => {
      if (!view.expanded.has(row.model)) return [{ kind: 'model', row }];
      const versions = view.expanded.get(row.model);
      if (!versions) return [{ kind: 'model', row }, { kind: 'note', row, text: 'Loading versions…' }];
      const wanted = onlyNumbers && Object.hasOwn(onlyNumbers, row.model) ? new Set(onlyNumbers[row.model]) : undefined;
      const shown = wanted ? versions.filter((version) => wanted.has(version.number)) : versions;
      return [{ kind: 'model', row }, ...shown.map((line): Line => ({ kind: 'version', row, line })), ...(shown.length === 0 ? [{ kind: 'note' as const, row, text: 'No versions.' }] : [])];
    });
    if (!lines.some((line) => keyOf(line) === view.selected)) view.selected = lines[0] ? keyOf(lines[0]) : '';
    table.setItems(lines);
    status.textContent = statusText(page.rows.length, lines.filter((line) => line.kind === 'model').length, answer);
    updateActions();
  }

  table.table.addEventListener('keydown', (event) => {
    const line = selectedLine();
    if (!line) return;
    const index = lines.indexOf(line);
    const keys: Record<string, () => void> = {
      ArrowDown: () => select(lines[Math.min(lines.length - 1, index + 1)]),
      ArrowUp: () => select(lines[Math.max(0, index - 1)]),
      Home: () => select(lines[0]),
      End: () => select(lines[lines.length - 1]),
      ArrowRight: () => line.kind === 'model' && toggleModel(line.row.model, true),
      ArrowLeft: () => (line.kind === 'model' ? toggleModel(line.row.model, false) : select(lines.find((candidate) => candidate.kind === 'model' && candidate.row === line.row))),
      Enter: () => act('details'),
      ' ': () => line.kind === 'model' && toggleModel(line.row.model),
    };
    const handler = keys[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  });

  mounted = {
    receive(answer) {
      if (answer.type === 'overviewVersions') {
        if (!view.expanded.has(answer.model)) return;
        view.expanded.set(answer.model, answer.versions);
      } else {
        if (answer.text !== view.filter) return;
        view.answer = answer.kind === 'all' ? undefined : answer;
        const matched = answer.kind === 'query' && answer.matches ? Object.keys(answer.matches) : [];
        if (matched.length <= AUTO_EXPAND) for (const model of matched) if (!view.expanded.has(model)) {
          view.expanded.set(model, undefined);
          post({ type: 'expandModel', model });
        }
      }
      refresh();
    },
  };

  const element = el(
    'div',
    { class: 'page overview', attrs: { 'data-page': 'overview' } },
    el('h1', null, 'Registry Overview'),
    el('div', { class: 'overview-bar' }, filter, el('div', { class: 'actions' }, actions.details, actions.compare, actions.promote, actions.lineage)),
    status,
    table.element,
  );
  // Versions shown before the registry changed are asked for again; so is the filter.
  for (const model of view.expanded.keys()) {
    view.expanded.set(model, undefined);
    post({ type: 'expandModel', model });
  }
  if (view.filter.trim()) post({ type: 'filterOverview', text: view.filter });
  else view.answer = undefined;
  requestAnimationFrame(() => refresh());
  refresh();
  return element;
}

function statusText(total: number, shown: number, answer: Filtered | undefined): string {
  const models = (count: number) => `${count} model${count === 1 ? '' : 's'}`;
  if (!answer) return `${models(total)}.`;
  if (answer.kind === 'query') {
    const versions = Object.values(answer.matches ?? {}).reduce((sum, numbers) => sum + numbers.length, 0);
    return `Query: ${versions}${answer.truncated ? '+' : ''} matching version${versions === 1 ? '' : 's'} in ${models(shown)} (of ${total}).`;
  }
  return `Text: ${models(shown)} of ${total} whose name or description contains “${answer.text.trim()}”.${answer.problem ? ` Not a query: ${answer.problem}` : ''}`;
}
