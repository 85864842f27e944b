import { closest, distance } from 'fastest-levenshtein';
import { RegistryError } from '../registryError';
import { FIELDS, KEYED_PREFIXES, lookUpField, type FieldSpec } from './queryFields';

/**
 * The search language, parsed by recursive descent:
 *
 *   query      := or?
 *   or         := and (OR and)*
 *   and        := not (AND not)*
 *   not        := NOT not | '(' or ')' | condition
 *   condition  := field op value | field [NOT] IN '(' value (',' value)* ')' | field [NOT] (LIKE | ILIKE) value
 *   op         := = | != | <> | < | <= | > | >=
 *   value      := 'text' | "text" | number | word (now-30d, 2026-01-31, Production, main …)
 *
 * Keywords are case-insensitive. Positions are offsets into the query text, so an error can point
 * at the character and the extension can underline it.
 */

/**
 * What a query may hold. SQLite refuses expression trees deeper than 1000 and LIKE/GLOB patterns
 * over 50 000 bytes, and recursion this deep would exhaust the stack: every comparison (each IN
 * value is one) adds a level to the SQL, so these bounds keep a query well inside SQLite's limits
 * and give a message pointing at the part that is too big instead.
 */
export const QUERY_LIMITS = {
  /** Characters in the whole query. */
  length: 20_000,
  /** Parentheses and NOTs inside one another. */
  nesting: 32,
  /** Comparisons in the whole query, counting each value of an IN list. */
  conditions: 500,
  /** Characters in one LIKE or ILIKE pattern. */
  patternLength: 1_000,
};

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface Span {
  start: number;
  end: number;
}

export interface ValueNode extends Span {
  /** `string` was quoted; `word` was written bare and is read by the field's type. */
  kind: 'string' | 'word';
  text: string;
}

export interface FieldNode extends Span {
  spec: FieldSpec;
  key?: string;
  text: string;
}

export type QueryNode =
  | ({ kind: 'and' | 'or'; left: QueryNode; right: QueryNode } & Span)
  | ({ kind: 'not'; operand: QueryNode } & Span)
  | ({ kind: 'compare'; field: FieldNode; op: CompareOp; value: ValueNode } & Span)
  | ({ kind: 'in'; field: FieldNode; negated: boolean; values: ValueNode[] } & Span)
  | ({ kind: 'like'; field: FieldNode; negated: boolean; caseInsensitive: boolean; pattern: ValueNode } & Span);

/** Keys the registry knows (tags, metrics, params), so a misspelt one can be suggested. */
export interface KnownKeys {
  tags?: readonly string[];
  metrics?: readonly string[];
  params?: readonly string[];
}

/** A query that cannot be read: says where (offsets, 1-based column) and what would be right. */
export class QueryError extends RegistryError {
  readonly column: number;

  constructor(
    readonly query: string,
    readonly start: number,
    readonly end: number,
    /** The message without the caret lines, for an editor that underlines instead. */
    readonly detail: string,
  ) {
    const column = start + 1;
    const { line, caretAt, caretLength } = excerptAround(query.replace(/[\r\n\t]/g, ' '), start, end);
    super('INVALID_INPUT', `Invalid query at column ${column}: ${detail}\n  ${line}\n  ${' '.repeat(caretAt)}${'^'.repeat(caretLength)}`);
    this.column = column;
  }
}

const EXCERPT_BEFORE = 40;
const EXCERPT_WIDTH = 120;

/** The part of a long query around the error, so the caret line stays readable. */
function excerptAround(line: string, start: number, end: number): { line: string; caretAt: number; caretLength: number } {
  const length = Math.max(1, end - start);
  if (line.length <= EXCERPT_WIDTH) return { line, caretAt: start, caretLength: length };
  const from = Math.max(0, start - EXCERPT_BEFORE);
  const to = Math.min(line.length, from + EXCERPT_WIDTH);
  const lead = from > 0 ? '…' : '';
  const excerpt = `${lead}${line.slice(from, to)}${to < line.length ? '…' : ''}`;
  return { line: excerpt, caretAt: lead.length + start - from, caretLength: Math.max(1, Math.min(length, to - start)) };
}

export type TokenKind = 'word' | 'string' | 'op' | '(' | ')' | ',' | 'end';

export interface Token extends Span {
  kind: TokenKind;
  /** For strings, the text between the quotes with doubled quotes undone. */
  text: string;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'ilike']);
const WORD_CHAR = /[A-Za-z0-9_.\-:+@/%]/;
const OPERATORS = ['<=', '>=', '!=', '<>', '==', '=', '<', '>'];

/** Splits a query into tokens; `lenient` (for completion) ends an unterminated string at the end instead of failing. */
export function tokenize(query: string, lenient = false): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < query.length) {
    const char = query[at];
    if (/\s/.test(char)) {
      at++;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: char, text: char, start: at, end: at + 1 });
      at++;
    } else if (char === "'" || char === '"') {
      let text = '';
      let end = at + 1;
      let closed = false;
      while (end < query.length) {
        if (query[end] === char) {
          if (query[end + 1] === char) {
            text += char;
            end += 2;
            continue;
          }
          closed = true;
          end++;
          break;
        }
        text += query[end++];
      }
      if (!closed && !lenient) throw new QueryError(query, at, at + 1, `this ${char === "'" ? 'single' : 'double'} quote is never closed; close it, and write a quote inside as two (${char}${char}).`);
      tokens.push({ kind: 'string', text, start: at, end });
      at = end;
    } else if (WORD_CHAR.test(char)) {
      let end = at;
      while (end < query.length && WORD_CHAR.test(query[end])) end++;
      tokens.push({ kind: 'word', text: query.slice(at, end), start: at, end });
      at = end;
    } else {
      const op = OPERATORS.find((candidate) => query.startsWith(candidate, at));
      if (!op) {
        if (lenient) {
          at++;
          continue;
        }
        throw new QueryError(query, at, at + 1, `unexpected character '${char}'. Values with such characters go in quotes: name = 'a${char}b'.`);
      }
      tokens.push({ kind: 'op', text: op, start: at, end: at + op.length });
      at += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', start: query.length, end: query.length });
  return tokens;
}

export function isKeyword(token: Token, keyword: string): boolean {
  return token.kind === 'word' && token.text.toLowerCase() === keyword;
}

/** Reads a query into a tree, or throws a QueryError pointing at the first thing wrong. Empty text matches every version. */
export function parseQuery(query: string, known: KnownKeys = {}): QueryNode | undefined {
  if (query.length > QUERY_LIMITS.length) {
    throw new QueryError(query, QUERY_LIMITS.length, query.length, `the query is ${query.length} characters long; a query may have at most ${QUERY_LIMITS.length}. Split it, or match by a tag or an alias instead of listing every value.`);
  }
  const parser = new Parser(query, tokenize(query), known);
  return parser.parse();
}

class Parser {
  private at = 0;
  private nesting = 0;
  private conditions = 0;

  constructor(
    private readonly query: string,
    private readonly tokens: Token[],
    private readonly known: KnownKeys,
  ) {}

  parse(): QueryNode | undefined {
    if (this.peek().kind === 'end') return undefined;
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end') {
      const what = next.kind === ')' ? "a ')' without its '('" : `'${next.text}'`;
      throw this.error(next, `expected AND or OR, found ${what}.`);
    }
    return node;
  }

  private or(): QueryNode {
    let left = this.and();
    while (isKeyword(this.peek(), 'or')) {
      this.next();
      const right = this.and();
      left = { kind: 'or', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private and(): QueryNode {
    let left = this.not();
    while (isKeyword(this.peek(), 'and')) {
      this.next();
      const right = this.not();
      left = { kind: 'and', left, right, start: left.start, end: right.end };
    }
    return left;
  }

  private not(): QueryNode {
    const token = this.peek();
    if (isKeyword(token, 'not') || token.kind === '(') {
      if (this.nesting === QUERY_LIMITS.nesting) throw this.error(token, `parentheses and NOTs are nested more than ${QUERY_LIMITS.nesting} deep here; write the query with fewer levels.`);
      this.nesting++;
      try {
        return this.nested(token);
      } finally {
        this.nesting--;
      }
    }
    return this.condition();
  }

  /** `NOT operand` or `( or )`, one level deeper. */
  private nested(token: Token): QueryNode {
    this.next();
    if (token.kind !== '(') {
      const operand = this.not();
      return { kind: 'not', operand, start: token.start, end: operand.end };
    }
    const inner = this.or();
    const close = this.peek();
    if (close.kind !== ')') throw this.error(close, close.kind === 'end' ? `the '(' at column ${token.start + 1} is never closed; add ')'.` : `expected ')' or AND/OR, found '${close.text}'.`);
    this.next();
    return { ...inner, start: token.start, end: close.end };
  }

  /** Counts comparisons, so the SQL stays well inside SQLite's expression depth. */
  private countCondition(span: Span): void {
    this.conditions++;
    if (this.conditions > QUERY_LIMITS.conditions) {
      throw this.error(span, `the query has more than ${QUERY_LIMITS.conditions} comparisons (each IN value counts as one); narrow it with a tag, an alias or a LIKE pattern.`);
    }
  }

  private condition(): QueryNode {
    const field = this.field();
    const token = this.next();
    if (token.kind === 'op') {
      const op = normalizeOperator(token.text);
      const value = this.value();
      this.countCondition(value);
      return { kind: 'compare', field, op, value, start: field.start, end: value.end };
    }
    let negated = false;
    let keyword = token;
    if (isKeyword(token, 'not')) {
      negated = true;
      keyword = this.next();
    }
    if (isKeyword(keyword, 'in')) {
      const open = this.next();
      if (open.kind !== '(') throw this.error(open, `IN takes a list in parentheses: ${field.text} IN ('a', 'b').`);
      const values = [this.value()];
      this.countCondition(values[0]);
      for (;;) {
        const separator = this.next();
        if (separator.kind === ')') return { kind: 'in', field, negated, values, start: field.start, end: separator.end };
        if (separator.kind !== ',') throw this.error(separator, `expected ',' or ')' in the IN list, found ${describe(separator)}.`);
        const value = this.value();
        this.countCondition(value);
        values.push(value);
      }
    }
    if (isKeyword(keyword, 'like') || isKeyword(keyword, 'ilike')) {
      const pattern = this.value();
      this.countCondition(pattern);
      if (pattern.text.length > QUERY_LIMITS.patternLength) {
        throw this.error(pattern, `this pattern is ${pattern.text.length} characters long; a LIKE pattern may have at most ${QUERY_LIMITS.patternLength}.`);
      }
      return { kind: 'like', field, negated, caseInsensitive: isKeyword(keyword, 'ilike'), pattern, start: field.start, end: pattern.end };
    }
    const expected = negated ? 'IN, LIKE or ILIKE after NOT' : 'an operator (= != < <= > >= LIKE ILIKE IN NOT IN)';
    throw this.error(keyword, `expected ${expected} after ${field.text}, found ${describe(keyword)}.`);
  }

  private field(): FieldNode {
    const token = this.next();
    if (token.kind !== 'word' || KEYWORDS.has(token.text.toLowerCase())) {
      throw this.error(token, `expected a field (${FIELDS.map((field) => (field.keyed ? `${field.name}.<key>` : field.name)).join(', ')}), found ${describe(token)}.`);
    }
    let text = token.text;
    let end = token.end;
    // tags."key with spaces": a quoted key straight after the dot.
    const quoted = this.peek();
    if (text.endsWith('.') && quoted.kind === 'string' && quoted.start === token.end) {
      this.next();
      text += quoted.text;
      end = quoted.end;
    }
    const found = lookUpField(text);
    if (!found) throw this.error({ start: token.start, end }, unknownFieldMessage(text, this.known));
    return { spec: found.spec, key: found.key, text, start: token.start, end };
  }

  private value(): ValueNode {
    const token = this.next();
    if (token.kind === 'string') return { kind: 'string', text: token.text, start: token.start, end: token.end };
    if (token.kind === 'word' && !KEYWORDS.has(token.text.toLowerCase())) return { kind: 'word', text: token.text, start: token.start, end: token.end };
    throw this.error(token, `expected a value ('text', a number, now-30d, 2026-01-31), found ${describe(token)}.`);
  }

  private peek(): Token {
    return this.tokens[this.at];
  }

  private next(): Token {
    const token = this.tokens[this.at];
    if (token.kind !== 'end') this.at++;
    return token;
  }

  private error(span: Span, detail: string): QueryError {
    return new QueryError(this.query, span.start, span.end, detail);
  }
}

function normalizeOperator(op: string): CompareOp {
  if (op === '==') return '=';
  if (op === '<>') return '!=';
  return op as CompareOp;
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the query';
  if (token.kind === 'string') return `'${token.text}'`;
  return `'${token.text}'`;
}

/** Every name a query could mean, given the keys the registry has seen. */
export function candidateFieldNames(known: KnownKeys = {}): string[] {
  return [
    ...FIELDS.filter((field) => !field.keyed).map((field) => field.name),
    ...(known.tags ?? []).map((key) => `tags.${key}`),
    ...(known.metrics ?? []).map((key) => `metrics.${key}`),
    ...(known.params ?? []).map((key) => `params.${key}`),
  ];
}

function unknownFieldMessage(text: string, known: KnownKeys): string {
  const candidates = candidateFieldNames(known);
  // A misspelt family (metric.accuracy) keeps its key: offer the same key under each family.
  const dot = text.indexOf('.');
  if (dot > 0) candidates.push(...KEYED_PREFIXES.map((prefix) => prefix + text.slice(dot + 1)));
  const nearest = closest(text.toLowerCase(), candidates);
  const close = nearest !== undefined && distance(text.toLowerCase(), nearest.toLowerCase()) <= Math.max(2, Math.floor(text.length / 3));
  const fields = FIELDS.map((field) => (field.keyed ? `${field.name}.<key>` : field.name)).join(', ');
  return close ? `unknown field '${text}'; did you mean '${nearest}'?` : `unknown field '${text}'. Fields: ${fields}.`;
}
