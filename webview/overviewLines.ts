import type { OverviewRow } from '../src/core/registryOverview';
import type { OverviewVersionLine, RegistryPageAnswer } from '../src/extension/webviews/registryPagesProtocol';
import { OVERVIEW_COLUMNS } from './overviewCells';

/** A line of the overview table: a model, one of its versions, or a note under it ("Loading versions…"). */
export type Line = { kind: 'model'; row: OverviewRow } | { kind: 'version'; row: OverviewRow; line: OverviewVersionLine } | { kind: 'note'; row: OverviewRow; text: string };
export type Filtered = Extract<RegistryPageAnswer, { type: 'overviewFiltered' }>;

export interface OverviewView {
  sort: { column: string; descending: boolean };
  filter: string;
  answer: Filtered | undefined;
  /** Open models, with their versions once the extension has sent them. */
  expanded: Map<string, OverviewVersionLine[] | undefined>;
  selected: string;
}

export function keyOf(line: Line): string {
  return line.kind === 'model' ? `model:${line.row.model}` : line.kind === 'version' ? `version:${line.line.ref}` : `note:${line.row.model}`;
}

/** The rows the filter keeps, in the column's order; ties stay in name order whichever way it sorts. */
export function visibleRows(rows: readonly OverviewRow[], view: OverviewView): OverviewRow[] {
  const matches = view.answer?.matches;
  const kept = matches ? rows.filter((row) => Object.hasOwn(matches, row.model)) : [...rows];
  const column = OVERVIEW_COLUMNS.find((candidate) => candidate.id === view.sort.column) ?? OVERVIEW_COLUMNS[0];
  const sign = view.sort.descending ? -1 : 1;
  const byName = (a: OverviewRow, b: OverviewRow) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0);
  return kept.sort((a, b) => {
    const [x, y] = [column.sortValue(a), column.sortValue(b)];
    return (x < y ? -1 : x > y ? 1 : 0) * sign || byName(a, b);
  });
}

/** Every line to draw: each model, and under an open one its versions (only those a query found). */
export function linesOf(rows: readonly OverviewRow[], view: OverviewView): Line[] {
  const found = view.answer?.kind === 'query' ? view.answer.matches : null;
  return visibleRows(rows, view).flatMap((row): Line[] => {
    if (!view.expanded.has(row.model)) return [{ kind: 'model', row }];
    const versions = view.expanded.get(row.model);
    if (!versions) return [{ kind: 'model', row }, { kind: 'note', row, text: 'Loading versions…' }];
    const wanted = found && Object.hasOwn(found, row.model) ? new Set(found[row.model]) : undefined;
    const shown = wanted ? versions.filter((version) => wanted.has(version.number)) : versions;
    const lines: Line[] = shown.map((line) => ({ kind: 'version', row, line }));
    return [{ kind: 'model', row }, ...(lines.length > 0 ? lines : [{ kind: 'note' as const, row, text: 'No versions.' }])];
  });
}

export function statusText(total: number, shown: number, answer: Filtered | undefined): string {
  const models = (count: number) => `${count} model${count === 1 ? '' : 's'}`;
  if (!answer) return `${models(total)}.`;
  if (answer.kind === 'query') {
    const versions = Object.values(answer.matches ?? {}).reduce((sum, numbers) => sum + numbers.length, 0);
    return `Query: ${versions}${answer.truncated ? '+' : ''} matching version${versions === 1 ? '' : 's'} in ${models(shown)} (of ${total}).`;
  }
  return `Text: ${models(shown)} of ${total} whose name or description contains “${answer.text.trim()}”.${answer.problem ? ` Not a query: ${answer.problem}` : ''}`;
}
