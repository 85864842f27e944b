import { table } from '../textReports';
import type { SearchHit } from './versionSearch';

/** Search results for people: one row per version, with the order-by value and the training data. */
export function searchText(hits: SearchHit[], orderBy?: string): string {
  if (hits.length === 0) return 'No versions match.';
  const orderColumn = orderBy === undefined ? [] : [orderBy.trim().split(/\s+/)[0].toUpperCase()];
  const rows = hits.map((hit) => [
    `${hit.model}/${hit.number}`,
    hit.semver,
    hit.stage,
    hit.aliases.join(', '),
    hit.createdAt,
    hit.createdBy,
    ...(orderBy === undefined ? [] : [hit.orderValue ?? null]),
    hit.data.map((data) => (data.sha256 ? `${data.uri} (${data.sha256.slice(0, 12)})` : data.uri)).join(', '),
  ]);
  return `${table(['VERSION', 'SEMVER', 'STAGE', 'ALIASES', 'CREATED', 'BY', ...orderColumn, 'DATA'], rows)}\n${hits.length} version(s)`;
}
