import type { ModelVersion } from './modelVersion';
import { formatRef } from './refs';

/**
 * The lines a service needs to load this version with the Python client (python/ in this
 * repository). Pinned to the version's number, so what the snippet loads never changes; the
 * stage and aliases it holds now are offered in a comment, since they follow promotions instead.
 */
export function pythonSnippet(version: Pick<ModelVersion, 'model' | 'number' | 'stage' | 'aliases'>): string {
  const pinned = formatRef(version.model, version.number);
  const moving = [...(version.stage === 'None' || version.stage === 'Archived' ? [] : [`${version.model}@${version.stage.toLowerCase()}`]), ...version.aliases.map((alias) => `${version.model}@${alias}`)];
  return [
    'import modelregistry as mr',
    '',
    `# Exactly ${pinned}, verified.${moving.length > 0 ? ` To follow promotions: ${moving.map((ref) => JSON.stringify(ref)).join(' or ')}.` : ''} Never a bare name: it means the latest registration.`,
    `model_dir = mr.resolve_path(${JSON.stringify(pinned)})`,
    '',
  ].join('\n');
}
