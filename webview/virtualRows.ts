import { el } from './dom';

/** Rows drawn beyond the visible ones on each side, so a fast scroll shows rows rather than gaps. */
const OVERSCAN = 12;

export interface VirtualTable<T> {
  /** The scrolling box holding the table. */
  element: HTMLElement;
  table: HTMLTableElement;
  setItems(items: readonly T[]): void;
  /** Scrolls so the item is visible, and redraws. */
  reveal(index: number): void;
  /** Redraws the visible rows (after their content changed). */
  redraw(): void;
}

/**
 * A table whose rows all have one height, of which only those in view (plus a margin) are in the
 * document: 1000 models with their versions expanded stay as cheap to draw as one screen. Spacer
 * rows above and below give the scroll bar its true length; `aria-rowcount` and `aria-rowindex`
 * tell screen readers where a row stands in the whole list.
 */
export function virtualTable<T>(options: { className: string; caption: string; head: HTMLTableRowElement; rowHeight: number; row: (item: T, index: number) => HTMLTableRowElement }): VirtualTable<T> {
  const body = el('tbody', null);
  const table = el('table', { class: options.className }, el('caption', null, options.caption), el('thead', null, options.head), body);
  const scroller = el('div', { class: 'virtual-scroll' }, table);
  const columns = options.head.children.length;
  let items: readonly T[] = [];
  let drawn = '';

  const spacer = (height: number) => {
    const cell = el('td', { attrs: { colspan: String(columns) } });
    const row = el('tr', { class: 'spacer', attrs: { 'aria-hidden': 'true' } }, cell);
    row.style.height = `${height}px`;
    return row;
  };

  const draw = (force: boolean) => {
    const visible = Math.max(1, Math.ceil((scroller.clientHeight || window.innerHeight) / options.rowHeight));
    const headHeight = table.tHead?.offsetHeight ?? 0;
    const first = Math.max(0, Math.floor(Math.max(0, scroller.scrollTop - headHeight) / options.rowHeight) - OVERSCAN);
    const last = Math.min(items.length, first + visible + 2 * OVERSCAN);
    const key = `${first}:${last}:${items.length}`;
    if (!force && key === drawn) return;
    drawn = key;
    const hadFocus = body.contains(document.activeElement);
    const focusedIndex = hadFocus ? (document.activeElement as HTMLElement).closest('tr')?.getAttribute('aria-rowindex') : null;
    const rows: HTMLTableRowElement[] = [];
    for (let index = first; index < last; index++) {
      const row = options.row(items[index], index);
      row.setAttribute('aria-rowindex', String(index + 2));
      row.style.height = `${options.rowHeight}px`;
      rows.push(row);
    }
    body.replaceChildren(...(first > 0 ? [spacer(first * options.rowHeight)] : []), ...rows, ...(last < items.length ? [spacer((items.length - last) * options.rowHeight)] : []));
    table.setAttribute('aria-rowcount', String(items.length + 1));
    if (focusedIndex) (body.querySelector<HTMLElement>(`tr[aria-rowindex="${focusedIndex}"]`) ?? null)?.focus({ preventScroll: true });
  };

  let pending = false;
  scroller.addEventListener('scroll', () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      draw(false);
    });
  });
  new ResizeObserver(() => draw(false)).observe(scroller);

  return {
    element: scroller,
    table,
    setItems(next) {
      items = next;
      draw(true);
    },
    reveal(index) {
      const headHeight = table.tHead?.offsetHeight ?? 0;
      const top = headHeight + index * options.rowHeight;
      if (top < scroller.scrollTop + headHeight) scroller.scrollTop = top - headHeight;
      else if (top + options.rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + options.rowHeight - scroller.clientHeight;
      draw(true);
    },
    redraw: () => draw(true),
  };
}
