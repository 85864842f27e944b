import { WEIGHT_FORMATS, weightFormatByMediaType } from '../weightFormats';

/**
 * The fields a search query may name, and the only SQL they ever turn into. A query's text never
 * reaches SQL: field names are looked up here, keys (tags.team) and values are bound parameters.
 * Expressions are written against `model_versions v JOIN models m`.
 */

export type FieldType = 'text' | 'number' | 'time' | 'stage' | 'semver' | 'json';

export interface FieldSpec {
  /** As written in queries: `name`, or `tags` for the family `tags.<key>`. */
  name: string;
  type: FieldType;
  description: string;
  /** One value per version (null when absent); `?` placeholders bind the key of a keyed field. */
  scalar?: string;
  /**
   * Matched as `v.id IN (SELECT x.version_id FROM <from> WHERE <column> op ?)`: fields with many
   * values per version, and keyed fields (whose key is the one `?` in `from`). The subquery is not
   * correlated, so SQLite runs it once, through the table's index, instead of once per version.
   */
  set?: { from: string; column: string };
  /** `tags.<key>`: the key is part of the field name. */
  keyed?: boolean;
}

/** Short format names for the media types artifacts are stored with (see weightFormats.ts). */
const FORMAT_BY_MEDIA_TYPE: Record<string, string> = Object.fromEntries(WEIGHT_FORMATS.map((format) => [format.mediaType, weightFormatByMediaType(format.mediaType)!.name]));

export const FORMATS = [...new Set(Object.values(FORMAT_BY_MEDIA_TYPE))].sort();

/** Built from the constant table above, so it is fixed text like every other expression here. */
const FORMAT_EXPRESSION = `CASE x.media_type ${Object.entries(FORMAT_BY_MEDIA_TYPE)
  .map(([mediaType, format]) => `WHEN '${mediaType}' THEN '${format}'`)
  .join(' ')} ELSE x.media_type END`;

export const FIELDS: readonly FieldSpec[] = [
  { name: 'name', type: 'text', description: 'model name', scalar: 'm.name' },
  { name: 'version', type: 'number', description: 'version number', scalar: 'v.number' },
  { name: 'semver', type: 'semver', description: 'semantic version label (ordered as semver)', scalar: 'v.semver' },
  { name: 'stage', type: 'stage', description: 'None, Staging, Production or Archived', scalar: 'v.stage' },
  { name: 'alias', type: 'text', description: 'an alias the version holds', set: { from: 'aliases x WHERE 1', column: 'x.alias' } },
  { name: 'created_by', type: 'text', description: 'who registered it', scalar: 'v.created_by' },
  { name: 'created_at', type: 'time', description: 'when it was registered (ISO time, or now-30d)', scalar: 'v.created_at' },
  { name: 'description', type: 'text', description: 'version description', scalar: 'v.description' },
  {
    name: 'tags',
    type: 'text',
    keyed: true,
    description: 'a version tag: tags.<key>',
    scalar: '(SELECT x.value FROM version_tags x WHERE x.version_id = v.id AND x.key = ?)',
    set: { from: 'version_tags x WHERE x.key = ?', column: 'x.value' },
  },
  {
    name: 'metrics',
    type: 'number',
    keyed: true,
    description: 'a metric value: metrics.<name>',
    scalar: '(SELECT x.value FROM version_metrics x WHERE x.version_id = v.id AND x.key_id = (SELECT id FROM metric_keys WHERE name = ?))',
    set: { from: 'version_metrics x WHERE x.key_id = (SELECT id FROM metric_keys WHERE name = ?)', column: 'x.value' },
  },
  {
    name: 'params',
    type: 'json',
    keyed: true,
    description: 'a hyperparameter: params.<name> (number or text)',
    scalar: "(SELECT json_extract(x.value, '$') FROM version_params x WHERE x.version_id = v.id AND x.key_id = (SELECT id FROM param_keys WHERE name = ?))",
    set: { from: "version_params x WHERE x.key_id = (SELECT id FROM param_keys WHERE name = ?)", column: "json_extract(x.value, '$')" },
  },
  { name: 'git.commit', type: 'text', description: 'git commit of the training code', scalar: 'v.git_commit' },
  { name: 'git.branch', type: 'text', description: 'git branch of the training code', scalar: 'v.git_branch' },
  { name: 'data.sha256', type: 'text', description: 'sha256 of a training data file', set: { from: 'version_data x WHERE 1', column: 'x.sha256' } },
  { name: 'data.md5', type: 'text', description: "DVC's md5 of training data (a folder's ends in .dir)", set: { from: 'version_data x WHERE 1', column: 'x.md5' } },
  { name: 'data.uri', type: 'text', description: 'path or URI of training data', set: { from: 'version_data x WHERE 1', column: 'x.uri' } },
  { name: 'artifact.sha256', type: 'text', description: 'sha256 of an artifact file', set: { from: 'version_artifacts x WHERE 1', column: 'x.sha256' } },
  { name: 'format', type: 'text', description: `artifact format (${FORMATS.join(', ')})`, set: { from: 'version_artifacts x WHERE 1', column: FORMAT_EXPRESSION } },
];

export const KEYED_PREFIXES = FIELDS.filter((field) => field.keyed).map((field) => `${field.name}.`);

/** The field a name refers to, with the key of a keyed field; undefined when nothing matches. */
export function lookUpField(name: string): { spec: FieldSpec; key?: string } | undefined {
  const lower = name.toLowerCase();
  const exact = FIELDS.find((field) => !field.keyed && field.name === lower);
  if (exact) return { spec: exact };
  const dot = name.indexOf('.');
  if (dot <= 0) return undefined;
  const family = FIELDS.find((field) => field.keyed && field.name === lower.slice(0, dot));
  const key = name.slice(dot + 1);
  return family && key.length > 0 ? { spec: family, key } : undefined;
}
