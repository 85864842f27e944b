/**
 * Builds elements whose content is always text: registry values (names, params, manifest strings)
 * come from files anyone can write, so nothing here ever parses markup.
 */
export type Child = Node | string | number | null | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: { class?: string; attrs?: Record<string, string> } | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props?.class) element.className = props.class;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) element.setAttribute(name, value);
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** A value as a person reads it: strings as they are, everything else as JSON. */
export function shown(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return el('section', { attrs: { 'aria-labelledby': id } }, el('h2', { attrs: { id } }, title), ...children);
}

/** A plain table with column headers for screen readers; its rows are drawn with fillRows. */
export function table<T>(headers: string[], items: readonly T[], cells: (item: T) => Child[], className = ''): HTMLTableElement {
  const head = el('thead', null, el('tr', null, ...headers.map((header) => el('th', { attrs: { scope: 'col' } }, header))));
  const body = el('tbody', null);
  const element = el('table', { class: className || undefined }, head, body);
  fillRows(element, body, items, (item) => el('tr', null, ...cells(item).map((cell) => el('td', null, cell))));
  return element;
}

/** Rows drawn at once: about two screens, so the page shows its top without waiting for long tables. */
export const FIRST_ROWS = 120;
/** Rows drawn per task after that: small enough that clicks and keys are handled between chunks. */
const CHUNK_ROWS = 400;

/**
 * Adds a row per item: the first FIRST_ROWS at once, the rest in later tasks once the page has been
 * painted (a 10k-param table would otherwise hold the first paint for most of a second, most of it
 * layout). The table says `aria-busy` until its last row is in; a table replaced meanwhile (sorted,
 * filtered, new data) stops being filled.
 */
export function fillRows<T>(table: HTMLTableElement, body: HTMLTableSectionElement, items: readonly T[], row: (item: T) => HTMLTableRowElement): void {
  const addRows = (from: number, to: number) => {
    const fragment = document.createDocumentFragment();
    for (let index = from; index < to; index++) fragment.appendChild(row(items[index]));
    body.appendChild(fragment);
  };
  addRows(0, Math.min(FIRST_ROWS, items.length));
  if (items.length <= FIRST_ROWS) return;
  table.setAttribute('aria-busy', 'true');
  let next = FIRST_ROWS;
  const chunk = () => {
    if (!table.isConnected) return;
    const end = Math.min(next + CHUNK_ROWS, items.length);
    addRows(next, end);
    next = end;
    if (next < items.length) setTimeout(chunk, 0);
    else table.removeAttribute('aria-busy');
  };
  requestAnimationFrame(() => setTimeout(chunk, 0));
}
