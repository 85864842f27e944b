import { MlflowError } from './mlflowErrors';

/**
 * Pages of a search, as MLflow's searches page: `max_results` per page and an opaque
 * `next_page_token` for the next one, absent on the last page. The token is the offset of the next
 * page in the same search, so it is valid only with the same filter and order.
 */
export function pageOf<T>(items: T[], maxResults: number, pageToken: string | undefined): { page: T[]; nextPageToken?: string } {
  const offset = pageToken ? offsetOf(pageToken) : 0;
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextPageToken: Buffer.from(JSON.stringify({ offset: next })).toString('base64url') } : { page };
}

function offsetOf(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {
    // not one of ours
  }
  throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid page token '${token}': pass the next_page_token of the previous page of the same search.`);
}

/** The fields `order_by` may name, per search, and the key each sorts by. */
export type OrderKeys<T> = Record<string, (item: T) => string | number>;

/**
 * Sorts by MLflow's `order_by` (`["name ASC", "version_number DESC"]`); items keep their given
 * order where the clauses tie. An unknown field is refused, naming those that work.
 */
export function ordered<T>(items: T[], orderBy: string[], keys: OrderKeys<T>): T[] {
  const clauses = orderBy.map((clause) => {
    const match = /^\s*([A-Za-z_.]+)(?:\s+(ASC|DESC))?\s*$/i.exec(clause);
    const key = match ? keys[match[1]] : undefined;
    if (!match || !key) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid order_by clause '${clause}': write a field and optionally ASC or DESC; fields: ${Object.keys(keys).join(', ')}.`);
    return { key, sign: match[2]?.toUpperCase() === 'DESC' ? -1 : 1 };
  });
  if (clauses.length === 0) return items;
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => {
      for (const { key, sign } of clauses) {
        const left = key(a.item);
        const right = key(b.item);
        if (left !== right) return (left < right ? -1 : 1) * sign;
      }
      return a.index - b.index;
    })
    .map(({ item }) => item);
}
