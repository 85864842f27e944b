import type { ModelVersion } from './modelVersion';
import { formatRef } from './refs';

type SnippetVersion = Pick<ModelVersion, 'model' | 'number' | 'stage' | 'aliases'>;

/** The references that follow promotions to the stage and aliases the version holds now (none for None or Archived). */
export function followingRefs(version: SnippetVersion): string[] {
  return [...(version.stage === 'None' || version.stage === 'Archived' ? [] : [`${version.model}@${version.stage.toLowerCase()}`]), ...version.aliases.map((alias) => `${version.model}@${alias}`)];
}

/** The comment every load snippet starts with: pinned, what would follow promotions instead, and never a bare name. */
export function pinnedComment(version: SnippetVersion, marker: string): string {
  const moving = followingRefs(version);
  return `${marker} Exactly ${formatRef(version.model, version.number)}, verified.${moving.length > 0 ? ` To follow promotions: ${moving.map((ref) => JSON.stringify(ref)).join(' or ')}.` : ''} Never a bare name: it means the latest registration.`;
}

/**
 * The lines a service needs to load this version with the Python client (python/ in this
 * repository). Pinned to the version's number, so what the snippet loads never changes; the
 * stage and aliases it holds now are offered in a comment, since they follow promotions instead.
 */
export function pythonSnippet(version: SnippetVersion): string {
  return ['import modelregistry as mr', '', pinnedComment(version, '#'), `model_dir = mr.resolve_path(${JSON.stringify(formatRef(version.model, version.number))})`, ''].join('\n');
}
