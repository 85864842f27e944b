import { FormatProblem } from './byteReader';
import { currentBudget, type InspectionBudget } from './inspectionBudget';

/**
 * JSON from an untrusted file (a safetensors header, a Keras config, a TF.js model.json), parsed
 * with an explicit stack instead of recursion and under the inspection's budget: every value
 * decoded is an entry, nesting is bounded by the depth limit, and the clock is checked as it goes.
 * `JSON.parse` itself copes with depth, but what it builds is unbounded (29 KB of deflated
 * `{},{},…` becomes a gigabyte of objects), and whatever walks its result recursively overflows
 * the call stack. The grammar is RFC 8259's; duplicate keys keep the last value, as JSON.parse does.
 */
export function parseBoundedJson(bytes: Buffer, what: string, budget: InspectionBudget = currentBudget()): unknown {
  const open: { container: Record<string, unknown> | unknown[]; key?: string }[] = [];
  let position = 0;
  let result: unknown;
  let decoded = 0;

  const fail = (message: string): never => {
    throw new FormatProblem(`${what} is not valid JSON (${message} at byte ${position})`);
  };
  const skipSpace = (): void => {
    while (position < bytes.length) {
      const byte = bytes[position];
      if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return;
      position++;
    }
  };
  const count = (): void => {
    // Charged in batches: one call per value would cost more than the parse.
    if (++decoded % 4096 === 0) {
      budget.entries(4096, `${what}'s JSON`);
      budget.checkTime(`parsing ${what}`);
    }
  };
  const stringAt = (): string => {
    const start = position;
    position++;
    let escaped = false;
    while (position < bytes.length) {
      const byte = bytes[position];
      if (byte === 0x22 && !escaped) break;
      if (byte < 0x20) fail('a control character inside a string');
      escaped = byte === 0x5c && !escaped;
      position++;
    }
    if (position >= bytes.length) fail('an unterminated string');
    position++;
    // A string token is flat: JSON.parse decodes its escapes exactly and cannot nest.
    try {
      return JSON.parse(bytes.toString('utf8', start, position)) as string;
    } catch {
      return fail('a string with an invalid escape');
    }
  };
  const scalarAt = (): unknown => {
    const byte = bytes[position];
    if (byte === 0x22) return stringAt();
    for (const [word, value] of LITERALS) {
      if (bytes.toString('latin1', position, position + word.length) === word) {
        position += word.length;
        return value;
      }
    }
    const start = position;
    while (position < bytes.length && NUMBER_BYTES.has(bytes[position])) position++;
    const text = bytes.toString('latin1', start, position);
    if (!NUMBER.test(text)) fail(text ? `'${text.slice(0, 20)}' is not a number` : `unexpected '${String.fromCharCode(byte)}'`);
    return Number(text);
  };
  /** Puts a finished value into its container, or makes it the result. */
  const place = (value: unknown): void => {
    const top = open[open.length - 1];
    if (!top) result = value;
    else if (Array.isArray(top.container)) top.container.push(value);
    else if (top.key === '__proto__') Object.defineProperty(top.container, top.key, { value, enumerable: true, writable: true, configurable: true });
    else top.container[top.key!] = value;
  };

  skipSpace();
  for (;;) {
    // Expecting a value.
    if (position >= bytes.length) fail('it ends where a value was expected');
    count();
    const byte = bytes[position];
    let closed = false;
    if (byte === 0x7b || byte === 0x5b) {
      position++;
      budget.depth(open.length + 1, `${what}'s JSON nesting`);
      const container: Record<string, unknown> | unknown[] = byte === 0x7b ? {} : [];
      open.push({ container });
      skipSpace();
      if (bytes[position] === (byte === 0x7b ? 0x7d : 0x5d)) {
        position++;
        closed = true;
      } else if (byte === 0x7b) {
        if (bytes[position] !== 0x22) fail('an object key that is not a string');
        open[open.length - 1].key = readKey();
        continue;
      } else continue;
    } else place(scalarAt());
    // After a value (or an empty container): close what is finished, or go on to the next element.
    for (;;) {
      if (closed) {
        closed = false;
        const finished = open.pop()!;
        place(finished.container);
      }
      skipSpace();
      const top = open[open.length - 1];
      if (!top) {
        if (position !== bytes.length) fail('more text after the JSON value');
        return result;
      }
      const next = bytes[position];
      const isArray = Array.isArray(top.container);
      if (next === 0x2c) {
        position++;
        skipSpace();
        if (!isArray) {
          if (bytes[position] !== 0x22) fail('an object key that is not a string');
          top.key = readKey();
        }
        break;
      }
      if (next === (isArray ? 0x5d : 0x7d)) {
        position++;
        closed = true;
        continue;
      }
      fail(position >= bytes.length ? 'it ends inside an object or array' : `unexpected '${String.fromCharCode(next)}'`);
    }
  }

  function readKey(): string {
    const key = stringAt();
    skipSpace();
    if (bytes[position] !== 0x3a) fail("a key without ':'");
    position++;
    skipSpace();
    return key;
  }
}

const LITERALS: [string, unknown][] = [['true', true], ['false', false], ['null', null]];
const NUMBER_BYTES = new Set([...'0123456789+-.eE'].map((c) => c.charCodeAt(0)));
const NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
