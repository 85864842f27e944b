import { compileQuery } from '../core/search/queryCompiler';
import { completeQuery, type QueryCompletion } from '../core/search/queryCompletion';
import { parseQuery, QueryError } from '../core/search/queryParser';
import { queryVocabulary, searchVersions, type QueryVocabulary, type SearchHit, type SearchOptions } from '../core/search/versionSearch';
import type { RegistryEngine } from './registryEngine';

/**
 * Search, validation and completion of queries. Gathering the vocabulary (field names and known
 * values) scans the versions; keystrokes (validation, completion) reuse it until the registry changes.
 */
export class RegistrySearch {
  private vocabulary: { seq: number; words: QueryVocabulary } | undefined;

  constructor(private readonly engine: RegistryEngine) {}

  /** Versions matching a query such as `name LIKE 'fraud%' AND metrics.accuracy > 0.85` (README: Search). */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    this.engine.refresh();
    return searchVersions(this.engine.db, this.engine.queries, query, options);
  }

  /** The QueryError a query would raise (with its offsets), or undefined when it is valid; runs no search. */
  validate(query: string): QueryError | undefined {
    this.engine.refresh();
    try {
      compileQuery(query, parseQuery(query, this.words()));
      return undefined;
    } catch (error) {
      if (error instanceof QueryError) return error;
      throw error;
    }
  }

  /** Completion for a query being typed (fields, operators, known values) at `cursor`. */
  complete(query: string, cursor: number): QueryCompletion {
    this.engine.refresh();
    return completeQuery(query, cursor, this.words());
  }

  /** Field names and known values, for completing a query where the registry is not at hand (a webview). */
  words(): QueryVocabulary {
    const { seq } = this.engine.position;
    if (this.vocabulary?.seq !== seq) this.vocabulary = { seq, words: queryVocabulary(this.engine.db) };
    return this.vocabulary.words;
  }
}
