import type { ModelVersion, RegisteredModel } from '../../core/modelVersion';
import type { Registry } from '../../registry/registry';
import { versionLabels } from '../../core/versionLabels';

/** What the Models view shows under a filter: whole models, and models narrowed to some versions. */
export interface FilterMatch {
  matchesModel(model: RegisteredModel): boolean;
  /** The versions of a model that match, newest first; empty hides the model. */
  versionsOf(model: RegisteredModel): ModelVersion[];
}

/** A filter of the Models view, typed by a person: plain text, or a query in the search language. */
export interface TreeFilter {
  readonly text: string;
  readonly kind: 'text' | 'query';
  /** Evaluated again on every render, so the filter follows the registry as it changes. */
  match(registry: Registry): FilterMatch;
}

/**
 * Plain text: a model whose name or description contains it is shown whole; otherwise only its
 * versions whose number, semver label, stage, aliases, description, tags or author contain it.
 */
export class TextFilter implements TreeFilter {
  readonly kind = 'text';
  private readonly needle: string;

  constructor(readonly text: string) {
    this.needle = text.trim().toLowerCase();
  }

  match(registry: Registry): FilterMatch {
    return {
      matchesModel: (model) => model.name.toLowerCase().includes(this.needle) || (model.description ?? '').toLowerCase().includes(this.needle),
      versionsOf: (model) => registry.versions(model.name).filter((version) => this.matchesVersion(version)),
    };
  }

  private matchesVersion(version: ModelVersion): boolean {
    const fields = [
      `#${version.number}`,
      ...versionLabels(version),
      version.description ?? '',
      ...Object.entries(version.tags).map(([key, value]) => `${key}=${value}`),
      version.createdBy,
    ];
    return fields.some((field) => field.toLowerCase().includes(this.needle));
  }
}

/** A search query (`metrics.accuracy > 0.9 AND stage = 'Production'`): only the versions it finds. */
export class QueryFilter implements TreeFilter {
  readonly kind = 'query';

  constructor(readonly text: string) {}

  match(registry: Registry): FilterMatch {
    const byModel = new Map<string, ModelVersion[]>();
    for (const hit of registry.search(this.text)) {
      const versions = byModel.get(hit.model) ?? [];
      versions.push(hit);
      byModel.set(hit.model, versions);
    }
    return { matchesModel: () => false, versionsOf: (model) => byModel.get(model.name) ?? [] };
  }
}

/**
 * The filter a person means: text that parses as a query is one (a plain word never does, since a
 * query needs a field, an operator and a value); anything else filters by text.
 */
export function filterFor(registry: Registry, text: string): TreeFilter | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  return registry.validateQuery(trimmed) === undefined ? new QueryFilter(trimmed) : new TextFilter(trimmed);
}
