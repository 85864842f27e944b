import { FIELDS, lookUpField } from './queryFields';
import { isKeyword, tokenize, type Token } from './queryParser';
import type { QueryVocabulary } from './versionSearch';

export interface CompletionItem {
  /** What the list shows. */
  label: string;
  /** What replaces the text from `from` to `to`. */
  insertText: string;
  kind: 'field' | 'operator' | 'value' | 'keyword';
  detail?: string;
}

export interface QueryCompletion {
  /** The range of the query text the chosen item replaces (the word being typed). */
  from: number;
  to: number;
  items: CompletionItem[];
}

const COMPARISON_OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'NOT LIKE'];
const ALL_FIELDS_LABEL = FIELDS.map((field) => (field.keyed ? `${field.name}.` : field.name));
const EMPTY_VOCABULARY: QueryVocabulary = { models: [], stages: [], aliases: [], actors: [], branches: [], formats: [] };

/**
 * Suggestions for the query being typed, at `cursor`: a field where a field may start, an operator
 * after a field, known values after an operator, AND / OR after a condition. Works on unfinished
 * text and never throws.
 */
export function completeQuery(text: string, cursor: number, vocabulary: QueryVocabulary = EMPTY_VOCABULARY): QueryCompletion {
  const before = text.slice(0, Math.max(0, Math.min(cursor, text.length)));
  const tokens = tokenize(before, true).filter((token) => token.kind !== 'end');
  // The token touching the cursor is the one being typed; the ones before it set the context.
  const last = tokens[tokens.length - 1];
  const typing = last && last.end === before.length && (last.kind === 'word' || last.kind === 'string') ? last : undefined;
  const context = typing ? tokens.slice(0, -1) : tokens;
  const from = typing ? typing.start : before.length;
  const prefix = typing ? typing.text : '';
  const state = stateAfter(context);
  let items: CompletionItem[];
  switch (state.expect) {
    case 'field':
      items = fieldItems(vocabulary).concat(state.allowNot ? [{ label: 'NOT', insertText: 'NOT ', kind: 'keyword' }] : []);
      break;
    case 'operator':
      items = COMPARISON_OPERATORS.map((op) => ({ label: op, insertText: op.endsWith('IN') ? `${op} (` : `${op} `, kind: 'operator' as const }));
      break;
    case 'value':
      items = valueItems(state.field, vocabulary);
      break;
    case 'connective':
      items = ['AND', 'OR'].map((keyword) => ({ label: keyword, insertText: `${keyword} `, kind: 'keyword' as const }));
      if (state.openParens > 0) items.push({ label: ')', insertText: ')', kind: 'keyword' });
      break;
  }
  const lower = prefix.toLowerCase();
  return { from, to: before.length, items: items.filter((item) => item.label.toLowerCase().startsWith(lower) && item.label.toLowerCase() !== lower) };
}

type State =
  | { expect: 'field'; allowNot: boolean }
  | { expect: 'operator' }
  | { expect: 'value'; field: string }
  | { expect: 'connective'; openParens: number };

/** Walks the finished tokens with the grammar's states; tolerant of mistakes (it only guides). */
function stateAfter(tokens: Token[]): State {
  let state: State = { expect: 'field', allowNot: true };
  let field = '';
  let parens = 0;
  let inList = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (state.expect === 'field') {
      if (token.kind === '(') parens++;
      else if (isKeyword(token, 'not')) state = { expect: 'field', allowNot: true };
      else if (token.kind === 'word') {
        field = token.text;
        state = { expect: 'operator' };
      }
    } else if (state.expect === 'operator') {
      if (token.kind === 'op' || isKeyword(token, 'like') || isKeyword(token, 'ilike')) state = { expect: 'value', field };
      else if (isKeyword(token, 'in')) {
        if (tokens[i + 1]?.kind === '(') i++;
        inList = true;
        state = { expect: 'value', field };
      }
    } else if (state.expect === 'value') {
      if (token.kind === 'word' || token.kind === 'string') state = { expect: 'connective', openParens: parens };
    } else if (state.expect === 'connective') {
      if (inList && token.kind === ',') state = { expect: 'value', field };
      else if (inList && token.kind === ')') {
        inList = false;
        state = { expect: 'connective', openParens: parens };
      } else if (token.kind === ')') {
        parens = Math.max(0, parens - 1);
        state = { expect: 'connective', openParens: parens };
      } else if (isKeyword(token, 'and') || isKeyword(token, 'or')) state = { expect: 'field', allowNot: true };
    }
  }
  if (state.expect === 'connective' && inList) return { expect: 'connective', openParens: parens + 1 };
  return state;
}

function fieldItems(vocabulary: QueryVocabulary): CompletionItem[] {
  const items: CompletionItem[] = FIELDS.map((field, index) => ({ label: ALL_FIELDS_LABEL[index], insertText: field.keyed ? `${field.name}.` : `${field.name} `, kind: 'field', detail: field.description }));
  const keyed = (family: string, keys: readonly string[] | undefined): CompletionItem[] =>
    (keys ?? []).map((key) => ({ label: `${family}.${key}`, insertText: `${family}.${/^[A-Za-z0-9_\-:+@/%.]+$/.test(key) ? key : quote(key)} `, kind: 'field' }));
  return items.concat(keyed('tags', vocabulary.tags), keyed('metrics', vocabulary.metrics), keyed('params', vocabulary.params));
}

function valueItems(fieldText: string, vocabulary: QueryVocabulary): CompletionItem[] {
  const found = lookUpField(fieldText);
  if (!found) return [];
  const values = (list: readonly string[]): CompletionItem[] => list.map((value) => ({ label: value, insertText: `${quote(value)} `, kind: 'value' }));
  switch (found.spec.name) {
    case 'name':
      return values(vocabulary.models);
    case 'stage':
      return values(vocabulary.stages);
    case 'alias':
      return values(vocabulary.aliases);
    case 'created_by':
      return values(vocabulary.actors);
    case 'git.branch':
      return values(vocabulary.branches);
    case 'format':
      return values(vocabulary.formats);
    case 'created_at':
      return ['now-1d', 'now-7d', 'now-30d', 'now-12h'].map((value) => ({ label: value, insertText: `${value} `, kind: 'value' }));
    default:
      return [];
  }
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
