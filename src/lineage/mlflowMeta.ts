import { readFileSync, statSync } from 'node:fs';
import { parseYaml } from '../core/lazyModules';
import { isRecord } from './projectFiles';

/** A meta.yaml is a few hundred bytes; anything much larger is not one. */
const META_LIMIT = 1024 * 1024;

/**
 * The top-level fields of an MLflow meta.yaml (a run's, an experiment's, a logged model's), as
 * MLflow's PyYAML wrote them: YAML 1.1, where an unquoted `4e12345` is a string, not the float a
 * YAML 1.2 reader makes of it, so ids are never mangled. MLflow writes flat `key: value` lines;
 * those are read directly (a project may hold thousands of runs), and a file with anything else
 * (a value folded over lines) goes to the YAML parser in 1.1 mode.
 */
export function readMlflowMeta(file: string): Record<string, unknown> | undefined {
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats?.isFile() || stats.size > META_LIMIT) return undefined;
  const text = readFileSync(file, 'utf8');
  return flatFields(text) ?? parsed(text);
}

function flatFields(text: string): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*): ?(.*)$/.exec(line.replace(/\r$/, ''));
    if (!match) return undefined;
    const value = scalar(match[2]);
    if (value === NOT_FLAT) return undefined;
    fields[match[1]] = value;
  }
  return fields;
}

const NOT_FLAT = Symbol('not a flat scalar');

/** A one-line YAML 1.1 scalar as PyYAML writes them: null, an int, a quoted or a plain string, `[]`. */
function scalar(raw: string): unknown {
  const value = raw.trim();
  if (value === '' || value === 'null' || value === '~') return null;
  if (value === '[]') return [];
  if (/^-?[0-9]+$/.test(value)) return Number(value);
  if (value.startsWith("'")) {
    // One line, quotes inside doubled: anything else (a string folded over lines) is not flat.
    const inner = value.slice(1, -1);
    return value.length > 1 && value.endsWith("'") && !inner.replace(/''/g, '').includes("'") ? inner.replace(/''/g, "'") : NOT_FLAT;
  }
  if (value.startsWith('"') || value.startsWith('[') || value.startsWith('{') || value.startsWith('&') || value.startsWith('*') || value.startsWith('!') || value.startsWith('|') || value.startsWith('>')) return NOT_FLAT;
  return value;
}

function parsed(text: string): Record<string, unknown> | undefined {
  try {
    const document: unknown = parseYaml(text, { version: '1.1', maxAliasCount: 100 });
    return isRecord(document) ? document : undefined;
  } catch {
    return undefined;
  }
}
