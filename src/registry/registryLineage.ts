import { buildLineageGraph, type LineageGraph, type LineageOptions, type LineageStart } from '../core/lineageGraph';
import { LineageQueries, type LineageDataRow } from '../core/lineageQueries';
import { parseRef, type Ref } from '../core/refs';
import { RegistryError } from '../core/registryError';
import type { RegistryEngine } from './registryEngine';

/**
 * The lineage graph from what a person names: a version (`fraud/3`, `fraud@production`), a model
 * (`fraud`: its versions), or a data entry — `data:sha256:<hex>`, `data:md5:<md5>`, `data:uri:<uri>`,
 * a bare sha256 or DVC md5, or the path or URI a version recorded.
 */
export function lineageOf(engine: RegistryEngine, subject: string, options: LineageOptions = {}): LineageGraph {
  engine.refresh();
  const queries = new LineageQueries(engine.db);
  return buildLineageGraph(queries, subject, resolveStart(engine, queries, subject.trim()), options);
}

function resolveStart(engine: RegistryEngine, queries: LineageQueries, text: string): LineageStart {
  if (text.length === 0) throw new RegistryError('INVALID_INPUT', 'Name a version (fraud/3, fraud@production), a model, or a data entry (its path, URI or hash) to draw its lineage.');
  const explicit = /^data:(sha256|md5|uri):(.+)$/s.exec(text);
  if (explicit) return { kind: 'data', data: findData(queries, explicit[1] as 'sha256' | 'md5' | 'uri', explicit[2], text) };
  if (/^[0-9a-f]{64}$/.test(text)) return { kind: 'data', data: findData(queries, 'sha256', text, text) };
  if (/^[0-9a-f]{32}(\.dir)?$/.test(text)) return { kind: 'data', data: findData(queries, 'md5', text, text) };
  const ref = refOrUndefined(text);
  if (ref && engine.queries.hasModel(ref.model)) {
    if (ref.selector.kind === 'latest' && ref.selector.implicit && ref.path === undefined) return { kind: 'model', model: ref.model };
    const version = engine.queries.find(ref);
    return { kind: 'version', model: version.model, number: version.number };
  }
  const byUri = queries.dataByUri(text);
  if (byUri) return { kind: 'data', data: byUri };
  throw new RegistryError(
    'NOT_FOUND',
    `No model and no data entry named '${text}'. Name a version (fraud/3), a model, or data by the path or URI a version recorded (mreg show <ref> lists them), or by its sha256.`,
  );
}

function findData(queries: LineageQueries, by: 'sha256' | 'md5' | 'uri', value: string, text: string): LineageDataRow {
  const found = by === 'uri' ? queries.dataByUri(value) : queries.dataByHash(by, value);
  if (!found) throw new RegistryError('NOT_FOUND', `No version records data with ${by === 'uri' ? 'the URI' : `the ${by}`} '${value}' (from '${text}').`);
  return found;
}

function refOrUndefined(text: string): Ref | undefined {
  try {
    return parseRef(text);
  } catch {
    return undefined;
  }
}
