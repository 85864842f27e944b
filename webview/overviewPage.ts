import { formatRef } from '../src/core/refs';
import type { WebviewMessage } from '../src/extension/webviews/protocol';
import type { QueryVocabulary } from '../src/core/search/versionSearch';
import type { OverviewPage, RegistryPageAnswer } from '../src/extension/webviews/registryPagesProtocol';
import { el } from './dom';
import { OVERVIEW_COLUMNS, versionLineCells } from './overviewCells';
import { keyOf, linesOf, statusText, type Line, type OverviewView } from './overviewLines';
import { queryInput } from './queryInput';
import { button, setEnabled } from './uiComponents';
import { virtualTable, type VirtualTable } from './virtualRows';

/** One height for every row, so only the rows in view need drawing. */
const ROW_HEIGHT = 30;
/** A query's matching models are opened to their versions when there are at most this many. */
const AUTO_EXPAND = 20;
/** Typing pauses this long before the filter is asked for (Enter asks at once). */
const FILTER_DELAY_MS = 250;

type Action = 'details' | 'compare' | 'promote' | 'lineage';

/** What the person has set on the page; kept across re-renders when the registry changes. */
const view: OverviewView = { sort: { column: 'model', descending: false }, filter: '', answer: undefined, expanded: new Map(), selected: '' };
let mounted: OverviewTable | undefined;
/** The words the filter completes: the last the extension sent, kept while a newer one is on its way. */
let vocabulary: QueryVocabulary | undefined;

/** Hands the extension's answers (versions of a model, a filter's matches) to the overview on screen. */
export function answerOverview(answer: RegistryPageAnswer): void {
  mounted?.receive(answer);
}

/**
 * The Registry Overview: one row per model (latest, Production and Staging, main metrics with
 * their direction, pending approvals, last change, storage), sortable by any column, filtered in
 * the search language, each model opening to its versions. A selected row's version opens in the
 * details page, compares, promotes or shows its lineage through the extension's commands.
 */
export function renderOverview(page: OverviewPage, post: (message: WebviewMessage) => void): HTMLElement {
  mounted = new OverviewTable(page, post);
  return mounted.element;
}

class OverviewTable {
  readonly element: HTMLElement;
  private readonly now = Date.now();
  private lines: Line[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly status = el('p', { class: 'muted filter-status', attrs: { role: 'status', id: 'overview-status' } });
  private readonly head = el('tr', null);
  private readonly table: VirtualTable<Line>;
  private readonly actions: Record<Action, HTMLElement>;

  constructor(
    private readonly page: OverviewPage,
    private readonly post: (message: WebviewMessage) => void,
  ) {
    this.drawHead();
    this.table = virtualTable<Line>({
      className: 'overview',
      caption: 'Every model: select a row, then act on it with the buttons above; Enter opens its details, → and ← open and close its versions.',
      head: this.head,
      rowHeight: ROW_HEIGHT,
      row: (line) => this.drawLine(line),
    });
    this.table.table.addEventListener('keydown', (event) => this.onKey(event));
    this.actions = {
      details: button('Open Details', () => this.act('details')),
      compare: button('Compare with Production', () => this.act('compare'), true),
      promote: button('Promote…', () => this.act('promote'), true),
      lineage: button('Show Lineage', () => this.act('lineage'), true),
    };
    for (const [name, element] of Object.entries(this.actions)) element.id = `overview-${name}`;
    const filter = queryInput({ value: view.filter, vocabulary: () => vocabulary, onChange: (text, now) => this.onFilterInput(text, now) });
    this.element = el(
      'div',
      { class: 'page overview', attrs: { 'data-page': 'overview' } },
      el('h1', null, 'Registry Overview'),
      el('div', { class: 'overview-bar' }, filter, el('div', { class: 'actions' }, ...Object.values(this.actions))),
      this.status,
      this.table.element,
    );
    // Versions shown before the registry changed are asked for again; so is the filter.
    for (const model of view.expanded.keys()) this.askVersions(model);
    if (view.filter.trim()) post({ type: 'filterOverview', text: view.filter });
    else view.answer = undefined;
    this.refresh();
    // Drawn again once in the document, when the scrolling box has its height.
    requestAnimationFrame(() => this.refresh());
  }

  receive(answer: RegistryPageAnswer): void {
    if (answer.type === 'overviewVocabulary') {
      vocabulary = answer.vocabulary;
      return;
    }
    if (answer.type === 'overviewVersions') {
      if (!view.expanded.has(answer.model)) return;
      view.expanded.set(answer.model, answer.versions);
    } else {
      if (answer.text !== view.filter) return;
      view.answer = answer.kind === 'all' ? undefined : answer;
      const matched = answer.kind === 'query' && answer.matches ? Object.keys(answer.matches) : [];
      if (matched.length <= AUTO_EXPAND) for (const model of matched) if (!view.expanded.has(model)) this.askVersions(model);
    }
    this.refresh();
  }

  private onFilterInput(text: string, now: boolean): void {
    clearTimeout(this.timer);
    const ask = () => {
      view.filter = text;
      this.post({ type: 'filterOverview', text });
    };
    if (now) ask();
    else this.timer = setTimeout(ask, FILTER_DELAY_MS);
  }

  private askVersions(model: string): void {
    view.expanded.set(model, undefined);
    this.post({ type: 'expandModel', model });
  }

  private drawHead(): void {
    this.head.replaceChildren(
      ...OVERVIEW_COLUMNS.map(({ id, title }) => {
        const sorted = view.sort.column === id;
        const sort = el('button', { class: 'sort', attrs: { type: 'button', 'data-column': id } }, title, sorted ? (view.sort.descending ? ' ▼' : ' ▲') : '');
        sort.addEventListener('click', () => {
          // A second click reverses; numbers and times start with the largest, names with A.
          view.sort = { column: id, descending: view.sort.column === id ? !view.sort.descending : id !== 'model' };
          this.drawHead();
          this.refresh();
        });
        return el('th', { attrs: { scope: 'col', 'aria-sort': sorted ? (view.sort.descending ? 'descending' : 'ascending') : 'none', 'data-column': id } }, sort);
      }),
    );
  }

  private drawLine(line: Line): HTMLTableRowElement {
    const key = keyOf(line);
    const selected = key === view.selected;
    const attrs: Record<string, string> = { tabindex: selected ? '0' : '-1', 'aria-selected': String(selected), 'data-key': key };
    let row: HTMLTableRowElement;
    if (line.kind === 'model') {
      const expanded = view.expanded.has(line.row.model);
      const toggle = el('button', { class: 'expand', attrs: { type: 'button', tabindex: '-1', 'aria-expanded': String(expanded), 'aria-label': `${expanded ? 'Hide' : 'Show'} the versions of ${line.row.model}` } }, expanded ? '▾' : '▸');
      toggle.addEventListener('click', (event) => {
        event.stopPropagation();
        this.toggleModel(line.row.model);
      });
      const cells = OVERVIEW_COLUMNS.map((column, index) => el('td', { class: `${column.numeric ? 'number ' : ''}col-${column.id}` }, index === 0 ? toggle : '', column.cell(line.row, this.now)));
      row = el('tr', { class: `model-row${selected ? ' selected' : ''}`, attrs: { ...attrs, 'data-model': line.row.model } }, ...cells);
    } else {
      // Spaces between the parts, so they are read (and copied) as words, not run together.
      const content = line.kind === 'version' ? versionLineCells(line.line, this.now).filter(Boolean).flatMap((part, index) => [index > 0 ? ' ' : '', el('span', { class: 'part' }, part)]) : [el('span', { class: 'muted' }, line.text)];
      if (line.kind === 'version') attrs['data-ref'] = line.line.ref;
      row = el('tr', { class: `${line.kind}-row${selected ? ' selected' : ''}`, attrs }, el('td', { class: 'version-line', attrs: { colspan: String(OVERVIEW_COLUMNS.length) } }, ...content));
    }
    row.addEventListener('click', () => this.select(line));
    row.addEventListener('dblclick', () => this.act('details'));
    return row;
  }

  private select(line: Line | undefined): void {
    if (!line) return;
    view.selected = keyOf(line);
    this.table.reveal(this.lines.indexOf(line));
    this.table.table.querySelector<HTMLElement>(`tr[data-key="${CSS.escape(view.selected)}"]`)?.focus();
    this.updateActions();
  }

  private selectedLine(): Line | undefined {
    return this.lines.find((line) => keyOf(line) === view.selected);
  }

  /** The version the buttons act on: the selected version, or the selected model's latest. */
  private target(): { ref?: string; production?: string; subject?: string } {
    const line = this.selectedLine();
    if (!line) return {};
    const production = line.row.production ? formatRef(line.row.model, line.row.production.number) : undefined;
    if (line.kind === 'version') return { ref: line.line.ref, production, subject: line.line.ref };
    return { ref: line.row.latest ? formatRef(line.row.model, line.row.latest.number) : undefined, production, subject: line.row.model };
  }

  private updateActions(): void {
    const { ref, production, subject } = this.target();
    setEnabled(this.actions.details, ref !== undefined);
    setEnabled(this.actions.promote, ref !== undefined);
    setEnabled(this.actions.compare, ref !== undefined && production !== undefined && production !== ref);
    setEnabled(this.actions.lineage, subject !== undefined);
  }

  private act(action: Action): void {
    const { ref, production, subject } = this.target();
    if (action === 'details' && ref) this.post({ type: 'openVersion', ref });
    if (action === 'promote' && ref) this.post({ type: 'promote', ref });
    if (action === 'compare' && ref && production && production !== ref) this.post({ type: 'compareVersions', before: production, after: ref });
    if (action === 'lineage' && subject) this.post({ type: 'showLineage', subject });
  }

  private toggleModel(model: string, open = !view.expanded.has(model)): void {
    const isOpen = view.expanded.has(model);
    if (open === isOpen) return;
    if (open) this.askVersions(model);
    else {
      view.expanded.delete(model);
      if (view.selected.startsWith(`version:${model}/`)) view.selected = `model:${model}`;
    }
    this.refresh();
  }

  private onKey(event: KeyboardEvent): void {
    const line = this.selectedLine();
    if (!line) return;
    const index = this.lines.indexOf(line);
    const keys: Record<string, () => void> = {
      ArrowDown: () => this.select(this.lines[Math.min(this.lines.length - 1, index + 1)]),
      ArrowUp: () => this.select(this.lines[Math.max(0, index - 1)]),
      Home: () => this.select(this.lines[0]),
      End: () => this.select(this.lines[this.lines.length - 1]),
      ArrowRight: () => line.kind === 'model' && this.toggleModel(line.row.model, true),
      ArrowLeft: () => (line.kind === 'model' ? this.toggleModel(line.row.model, false) : this.select(this.lines.find((candidate) => candidate.kind === 'model' && candidate.row === line.row))),
      Enter: () => this.act('details'),
      ' ': () => line.kind === 'model' && this.toggleModel(line.row.model),
    };
    const handler = keys[event.key];
    if (!handler) return;
    event.preventDefault();
    handler();
  }

  private refresh(): void {
    this.lines = linesOf(this.page.rows, view);
    if (!this.lines.some((line) => keyOf(line) === view.selected)) view.selected = this.lines[0] ? keyOf(this.lines[0]) : '';
    this.table.setItems(this.lines);
    this.status.textContent = statusText(this.page.rows.length, this.lines.filter((line) => line.kind === 'model').length, view.answer);
    this.updateActions();
  }
}
