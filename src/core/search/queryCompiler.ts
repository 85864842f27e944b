import validSemver from 'semver/functions/valid';
import { parseStage, STAGES } from '../stage';
import { lookUpField } from './queryFields';
import { QueryError, type CompareOp, type FieldNode, type QueryNode, type ValueNode } from './queryParser';

export type SqlValue = string | number;

/** A WHERE clause over `model_versions v JOIN models m` and the values it binds, in order. */
export interface CompiledQuery {
  where: string;
  params: SqlValue[];
}

export interface OrderBy {
  field: FieldNode;
  descending: boolean;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const RELATIVE_TIME = /^now(?:([+-])(\d+(?:\.\d+)?)([smhdw]))?$/i;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** SQLite's own operator for each; `!=` is compiled separately so a missing value counts as different. */
const SQL_OPERATOR: Record<Exclude<CompareOp, '!='>, string> = { '=': '=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' };

/**
 * Turns a parsed query into SQL. Every value and key is a bound parameter; the SQL text comes only
 * from the field table and this file. Semantics: a version without the field (no such tag, no
 * such metric) never matches =, <, >, LIKE or IN, and always matches != and NOT IN, so `NOT a = b`
 * and `a != b` agree.
 */
export function compileQuery(query: string, node: QueryNode | undefined, now: Date = new Date()): CompiledQuery {
  const params: SqlValue[] = [];
  const compiler = new Compiler(query, params, now);
  const where = node ? compiler.node(node) : '1';
  return { where, params };
}

/** `metrics.accuracy DESC` → an ORDER BY field; only fields with one value per version can order. */
export function parseOrderBy(text: string): OrderBy {
  const match = /^\s*(\S+?)(?:\s+(asc|desc))?\s*$/i.exec(text);
  const found = match ? lookUpField(match[1]) : undefined;
  if (!match || !found || !found.spec.scalar) {
    const orderable = ['name', 'version', 'semver', 'stage', 'created_by', 'created_at', 'description', 'tags.<key>', 'metrics.<key>', 'params.<key>', 'git.commit', 'git.branch'];
    throw new QueryError(text, 0, Math.max(1, text.trim().length), `cannot order by '${text}': give one of ${orderable.join(', ')}, optionally followed by ASC or DESC.`);
  }
  return { field: { spec: found.spec, key: found.key, text: match[1], start: 0, end: match[1].length }, descending: match[2]?.toLowerCase() === 'desc' };
}

/** An ORDER BY expression for the field, with its parameters; versions without a value come last. */
export function compileOrderBy(order: OrderBy | undefined): { orderBy: string; select: string; params: SqlValue[] } {
  if (!order) return { orderBy: 'm.name, v.number DESC', select: 'NULL', params: [] };
  const expression = order.field.spec.type === 'semver' ? 'v.semver' : order.field.spec.scalar!;
  const keyParams = order.field.key === undefined ? [] : [order.field.key];
  const direction = order.descending ? 'DESC' : 'ASC';
  // The sort value is selected once and ordered by its column alias, so the key binds only in SELECT.
  const orderBy = order.field.spec.type === 'semver' ? `sort_value IS NULL, semver_order(sort_value) ${direction}, m.name, v.number DESC` : `sort_value IS NULL, sort_value ${direction}, m.name, v.number DESC`;
  return { orderBy, select: expression, params: keyParams };
}

class Compiler {
  constructor(
    private readonly query: string,
    private readonly params: SqlValue[],
    private readonly now: Date,
  ) {}

  node(node: QueryNode): string {
    switch (node.kind) {
      case 'and':
        return `(${this.node(node.left)} AND ${this.node(node.right)})`;
      case 'or':
        return `(${this.node(node.left)} OR ${this.node(node.right)})`;
      case 'not':
        return `(NOT ${this.node(node.operand)})`;
      case 'compare':
        return this.compare(node.field, node.op, node.value);
      case 'in': {
        const positive = `(${node.values.map((value) => this.compare(node.field, '=', value)).join(' OR ')})`;
        return node.negated ? `(NOT ${positive})` : positive;
      }
      case 'like': {
        const positive = this.like(node.field, node.pattern, node.caseInsensitive);
        return node.negated ? `(NOT ${positive})` : positive;
      }
    }
  }

  private compare(field: FieldNode, op: CompareOp, value: ValueNode): string {
    if (op === '!=') return `(NOT ${this.compare(field, '=', value)})`;
    const { spec } = field;
    const sqlOp = SQL_OPERATOR[op];
    switch (spec.type) {
      case 'number':
        return this.test(field, (column) => `${column} ${sqlOp} ?`, [this.number(field, value)]);
      case 'json': {
        // Params keep their JSON type: a number literal compares with numbers, anything else with text.
        if (value.kind === 'word' && NUMBER.test(value.text)) return this.test(field, (column) => `typeof(${column}) IN ('integer', 'real') AND ${column} ${sqlOp} ?`, [Number(value.text)]);
        if (value.kind === 'word' && /^(true|false)$/i.test(value.text)) return this.test(field, (column) => `typeof(${column}) = 'integer' AND ${column} ${sqlOp} ?`, [value.text.toLowerCase() === 'true' ? 1 : 0]);
        return this.test(field, (column) => `typeof(${column}) = 'text' AND ${column} ${sqlOp} ?`, [value.text]);
      }
      case 'stage': {
        if (op !== '=') throw this.error(value, `stages have no order; use = != IN or NOT IN with ${STAGES.join(', ')}.`);
        const stage = parseStage(value.text);
        if (!stage) throw this.error(value, `'${value.text}' is not a stage; stages are ${STAGES.join(', ')}.`);
        return this.test(field, (column) => `${column} = ?`, [stage]);
      }
      case 'semver': {
        const label = validSemver(value.text);
        if (!label) throw this.error(value, `'${value.text}' is not a semver label; write MAJOR.MINOR.PATCH, e.g. 1.2.0.`);
        if (op === '=') return this.test(field, (column) => `${column} = ?`, [label]);
        return this.test(field, (column) => `semver_order(${column}) ${sqlOp} semver_order(?)`, [label]);
      }
      case 'time':
        return this.time(field, op, value);
      case 'text':
        return this.test(field, (column) => `${column} ${sqlOp} ?`, [value.text]);
    }
  }

  private like(field: FieldNode, pattern: ValueNode, caseInsensitive: boolean): string {
    // SQLite's LIKE ignores ASCII case; LIKE here is case-sensitive, so it becomes GLOB.
    if (caseInsensitive) return this.test(field, (column) => `${column} LIKE ? ESCAPE '\\'`, [pattern.text]);
    return this.test(field, (column) => `${column} GLOB ?`, [likeToGlob(pattern.text)]);
  }

  private time(field: FieldNode, op: Exclude<CompareOp, '!='>, value: ValueNode): string {
    const text = value.text.trim();
    if (DATE_ONLY.test(text)) {
      // A date is the whole day (UTC): created_at = 2026-01-31 is any time that day.
      const start = this.instant(value, `${text}T00:00:00.000Z`);
      const end = new Date(Date.parse(start) + 86_400_000).toISOString();
      switch (op) {
        case '=':
          return this.test(field, (column) => `${column} >= ? AND ${column} < ?`, [start, end]);
        case '<':
          return this.test(field, (column) => `${column} < ?`, [start]);
        case '<=':
          return this.test(field, (column) => `${column} < ?`, [end]);
        case '>':
          return this.test(field, (column) => `${column} >= ?`, [end]);
        case '>=':
          return this.test(field, (column) => `${column} >= ?`, [start]);
      }
    }
    const relative = RELATIVE_TIME.exec(text);
    let instant: string;
    if (relative) {
      const offset = relative[1] ? Number(relative[2]) * UNIT_MS[relative[3].toLowerCase()] * (relative[1] === '-' ? -1 : 1) : 0;
      instant = new Date(this.now.getTime() + offset).toISOString();
    } else {
      instant = this.instant(value, text);
    }
    return this.test(field, (column) => `${column} ${SQL_OPERATOR[op]} ?`, [instant]);
  }

  /** ISO time as stored (toISOString), so text order is time order. */
  private instant(value: ValueNode, text: string): string {
    const time = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
    if (Number.isNaN(time)) throw this.error(value, `'${value.text}' is not a time; write an ISO date or time (2026-01-31, 2026-01-31T12:00:00Z) or a relative time (now-30d, now-12h; units s m h d w).`);
    return new Date(time).toISOString();
  }

  private number(field: FieldNode, value: ValueNode): number {
    if (!NUMBER.test(value.text.trim())) throw this.error(value, `${field.text} is a number; '${value.text}' is not.`);
    return Number(value.text);
  }

  /** A condition on the field's value(s), true or false but never NULL (so NOT is two-valued): some value exists and passes. */
  private test(field: FieldNode, condition: (column: string) => string, values: SqlValue[]): string {
    const { spec } = field;
    if (spec.set) {
      // A keyed field's key is the one placeholder in `from`, so it binds before the values.
      if (field.key !== undefined) this.params.push(field.key);
      this.params.push(...values);
      return `v.id IN (SELECT x.version_id FROM ${spec.set.from} AND ${spec.set.column} IS NOT NULL AND ${condition(spec.set.column)})`;
    }
    const column = spec.scalar!;
    this.params.push(...values);
    return `(${column} IS NOT NULL AND ${condition(column)})`;
  }

  private error(value: ValueNode, detail: string): QueryError {
    return new QueryError(this.query, value.start, value.end, detail);
  }
}

/** LIKE's % and _ (with \ escaping them) as GLOB's * and ?, everything else literal. */
export function likeToGlob(pattern: string): string {
  let glob = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i];
    if (char === '\\' && i + 1 < pattern.length) glob += globLiteral(pattern[++i]);
    else if (char === '%') glob += '*';
    else if (char === '_') glob += '?';
    else glob += globLiteral(char);
  }
  return glob;
}

function globLiteral(char: string): string {
  return char === '*' || char === '?' || char === '[' ? `[${char}]` : char;
}
