import { setOwn, userKeyedRecord } from '../../core/userKeyedRecord';
import { formatRef } from '../../core/refs';
import type { Registry } from '../../registry/registry';
import { filterFor, TextFilter } from '../tree/versionFilter';
import type { LineagePage, OverviewPage, OverviewVersionLine, RegistryPageAnswer } from './registryPagesProtocol';

/**
 * What the extension sends the overview and lineage pages, read from the registry. Free of vscode,
 * so the browser tests answer the pages with exactly this code over a registry they build.
 */

/** A query lists at most this many versions on the overview; a person narrows it to see the rest. */
export const OVERVIEW_QUERY_LIMIT = 10_000;

export function overviewPage(registry: Registry): OverviewPage {
  return { kind: 'overview', rows: registry.overview() };
}

/** Sent after the overview's rows: the words its filter box completes. */
export function overviewVocabulary(registry: Registry): Extract<RegistryPageAnswer, { type: 'overviewVocabulary' }> {
  return { type: 'overviewVocabulary', vocabulary: registry.queryVocabulary() };
}

export function lineagePage(registry: Registry, subject: string): LineagePage {
  return { kind: 'lineage', graph: registry.lineage(subject) };
}

export function overviewVersions(registry: Registry, model: string): Extract<RegistryPageAnswer, { type: 'overviewVersions' }> {
  const versions: OverviewVersionLine[] = registry.versions(model).map((version) => ({
    ref: formatRef(version.model, version.number),
    number: version.number,
    semver: version.semver,
    stage: version.stage,
    aliases: version.aliases,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
  }));
  return { type: 'overviewVersions', model, versions };
}

/**
 * The overview's filter, as the Models view reads it (filterFor): text that parses as a query
 * selects versions; other text selects the models whose name or description contains it.
 */
export function overviewFilter(registry: Registry, text: string): Extract<RegistryPageAnswer, { type: 'overviewFiltered' }> {
  const filter = filterFor(registry, text);
  if (!filter) return { type: 'overviewFiltered', text, kind: 'all', matches: null };
  if (filter.kind === 'query') {
    const hits = registry.search(filter.text, { limit: OVERVIEW_QUERY_LIMIT + 1 });
    const byModel = new Map<string, number[]>();
    for (const hit of hits.slice(0, OVERVIEW_QUERY_LIMIT)) {
      const numbers = byModel.get(hit.model) ?? [];
      numbers.push(hit.number);
      byModel.set(hit.model, numbers);
    }
    const matches = userKeyedRecord(byModel);
    return { type: 'overviewFiltered', text, kind: 'query', matches, truncated: hits.length > OVERVIEW_QUERY_LIMIT };
  }
  const match = new TextFilter(filter.text).match(registry);
  const matches = userKeyedRecord<number[]>();
  for (const model of registry.models()) if (match.matchesModel(model)) setOwn(matches, model.name, []);
  const problem = /[=<>]|\b(AND|OR|LIKE|IN)\b/i.test(filter.text) ? registry.validateQuery(filter.text)?.detail : undefined;
  return problem ? { type: 'overviewFiltered', text, kind: 'text', matches, problem } : { type: 'overviewFiltered', text, kind: 'text', matches };
}
