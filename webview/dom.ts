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

/** A plain table with column headers for screen readers. */
export function table(headers: string[], rows: Child[][], className = ''): HTMLTableElement {
  const head = el('thead', null, el('tr', null, ...headers.map((header) => el('th', { attrs: { scope: 'col' } }, header))));
  const body = el('tbody', null);
  const fragment = document.createDocumentFragment();
  for (const row of rows) fragment.appendChild(el('tr', null, ...row.map((cell) => el('td', null, cell))));
  body.appendChild(fragment);
  return el('table', { class: className || undefined }, head, body);
}
