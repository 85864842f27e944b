import { FormatProblem, type ByteSource } from './byteReader';
import { decodeRawUnicodeEscape, decodeStringLine, MAX_KEPT_TEXT, parseIndexLine, parseIntLine, python2Text, signedLittleEndian, UTF8 } from './pickleTextArguments';
import { couldBeText, couldBeTuple, intValue, OverBudget, SCALAR, SHARED, Unpicklable, type PickleValue } from './pickleValues';

export { OverBudget, SCALAR, Unpicklable, type PickleValue };

/**
 * CPython's unpickler (Modules/_pickle.c, Lib/pickle.py `_Unpickler`) run on abstract values: the
 * same stack, marks and memo, opcode for opcode, for protocols 0–5, but nothing is imported or
 * called. Where CPython would import (GLOBAL, STACK_GLOBAL, INST, EXT*) or call (REDUCE, OBJ, INST,
 * NEWOBJ, NEWOBJ_EX, BUILD, APPEND…, PERSID) the machine asks its observer, which judges and answers
 * with the value CPython would push. Where CPython raises, the machine stops with the reason:
 * nothing after that point runs in Python either. Iterative, and bounded: the stack, the memo and
 * what is kept of strings and bytes have limits, past which it stops with `limit`.
 */

/** How a call is made: which opcode, and whether CPython checks the callable is a class first. */
export type CallOpcode = 'REDUCE' | 'NEWOBJ' | 'NEWOBJ_EX' | 'OBJ' | 'INST';

/** What the scanner decides where CPython would import, call or hand data to the loading program. */
export interface PickleObserver {
  importGlobal(module: string, name: string, protocol: number, offset: number): PickleValue;
  /** STACK_GLOBAL with names that are values computed while unpickling, which the machine cannot read. */
  importComputed(offset: number): PickleValue;
  /** `args` undefined: CPython calls with arguments the machine cannot list (REDUCE with a non-tuple). */
  call(opcode: CallOpcode, callable: PickleValue, args: PickleValue[] | undefined, offset: number): Promise<PickleValue>;
  /**
   * BUILD, or APPEND/SETITEM/ADDITEMS on something other than a list, dict or set: runs the target's
   * own methods. May read on from the stream (joblib writes array data right after an array's BUILD).
   */
  mutate(opcode: string, target: PickleValue, state: PickleValue | undefined, offset: number): Promise<void>;
  persistentLoad(id: PickleValue, offset: number): PickleValue;
  extension(code: number, offset: number): PickleValue;
}

export type PickleEnd =
  | { kind: 'stop'; value: PickleValue; opcodes: number }
  /** CPython raises here (or the input ends): the reason, and the offset of the opcode. */
  | { kind: 'error'; message: string; offset: number; opcodes: number }
  /** A budget ran out: the rest of the stream was not read. */
  | { kind: 'limit'; message: string; offset: number; opcodes: number };

export interface PickleLimits {
  /** Opcodes this run may still execute (shared by all pickles of a file). */
  opcodes: number;
  /** Bytes of str and bytes values this run may still keep (for nested pickles and names). */
  keptBytes: number;
  /**
   * Values containers may still keep (tuple items, list items, dict entries, call arguments): past
   * it, new containers keep none, and what needs their contents becomes a finding, not memory.
   */
  keptValues: number;
}

/** Takes `count` from the kept-values budget; false (and nothing taken) when it does not hold them. */
export function keepValues(limits: PickleLimits, count: number): boolean {
  if (count > limits.keptValues) return false;
  limits.keptValues -= count;
  return true;
}

/** Largest bytes value kept for a nested scan (torch.storage._load_from_bytes payloads). */
const MAX_KEPT_BYTES = 16 * 1024 * 1024;
/** Longest protocol-0 line kept; longer lines are read through and counted. */
const MAX_LINE = 64 * 1024;
/** Python batches list and dict items by 1000; a tuple's items all sit on the stack (3M floats: 24 MB of shared values). */
const MAX_STACK = 4_000_000;
/** Values on the stack that are not shared (strings, containers, big ints): what costs memory. */
const MAX_STACK_OBJECTS = 1_000_000;
const MAX_MEMO = 1_000_000;
const MAX_LIST_ITEMS = 100_000;
const MAX_DICT_ENTRIES = 1_000;
const HIGHEST_PROTOCOL = 5;


type Argument = 'none' | 'u1' | 'u2' | 'i4' | 'u4' | 'u8' | 'line' | 'twoLines' | 'float8' | 'string1' | 'string4' | 'unicode1' | 'unicode4' | 'unicode8' | 'bytes1' | 'bytes4' | 'bytes8' | 'long1' | 'long4';

/** code, name, argument: the opcode table of protocols 0–5 (Lib/pickletools.py documents each). */
const OPCODE_TABLE: [string | number, string, Argument][] = [
  ['(', 'MARK', 'none'], ['.', 'STOP', 'none'], ['0', 'POP', 'none'], ['1', 'POP_MARK', 'none'], ['2', 'DUP', 'none'],
  ['N', 'NONE', 'none'], ['Q', 'BINPERSID', 'none'], ['R', 'REDUCE', 'none'], ['a', 'APPEND', 'none'], ['b', 'BUILD', 'none'],
  ['d', 'DICT', 'none'], ['}', 'EMPTY_DICT', 'none'], ['e', 'APPENDS', 'none'], ['l', 'LIST', 'none'], [']', 'EMPTY_LIST', 'none'],
  ['o', 'OBJ', 'none'], ['s', 'SETITEM', 'none'], ['t', 'TUPLE', 'none'], [')', 'EMPTY_TUPLE', 'none'], ['u', 'SETITEMS', 'none'],
  [0x81, 'NEWOBJ', 'none'], [0x85, 'TUPLE1', 'none'], [0x86, 'TUPLE2', 'none'], [0x87, 'TUPLE3', 'none'], [0x88, 'NEWTRUE', 'none'],
  [0x89, 'NEWFALSE', 'none'], [0x8f, 'EMPTY_SET', 'none'], [0x90, 'ADDITEMS', 'none'], [0x91, 'FROZENSET', 'none'],
  [0x92, 'NEWOBJ_EX', 'none'], [0x93, 'STACK_GLOBAL', 'none'], [0x94, 'MEMOIZE', 'none'], [0x97, 'NEXT_BUFFER', 'none'],
  [0x98, 'READONLY_BUFFER', 'none'],
  ['F', 'FLOAT', 'line'], ['I', 'INT', 'line'], ['L', 'LONG', 'line'], ['P', 'PERSID', 'line'], ['S', 'STRING', 'line'],
  ['V', 'UNICODE', 'line'], ['g', 'GET', 'line'], ['p', 'PUT', 'line'], ['c', 'GLOBAL', 'twoLines'], ['i', 'INST', 'twoLines'],
  ['J', 'BININT', 'i4'], ['K', 'BININT1', 'u1'], ['M', 'BININT2', 'u2'], ['h', 'BINGET', 'u1'], ['j', 'LONG_BINGET', 'u4'],
  ['q', 'BINPUT', 'u1'], ['r', 'LONG_BINPUT', 'u4'], ['G', 'BINFLOAT', 'float8'], [0x80, 'PROTO', 'u1'], [0x82, 'EXT1', 'u1'],
  [0x83, 'EXT2', 'u2'], [0x84, 'EXT4', 'i4'], [0x95, 'FRAME', 'u8'],
  ['T', 'BINSTRING', 'string4'], ['U', 'SHORT_BINSTRING', 'string1'], ['X', 'BINUNICODE', 'unicode4'],
  [0x8c, 'SHORT_BINUNICODE', 'unicode1'], [0x8d, 'BINUNICODE8', 'unicode8'],
  [0x8a, 'LONG1', 'long1'], [0x8b, 'LONG4', 'long4'], ['B', 'BINBYTES', 'bytes4'], ['C', 'SHORT_BINBYTES', 'bytes1'],
  [0x8e, 'BINBYTES8', 'bytes8'], [0x96, 'BYTEARRAY8', 'bytes8'],
];
interface Opcode {
  name: string;
  argument: Argument;
}
const OPCODES: (Opcode | undefined)[] = new Array(256);
for (const [code, name, argument] of OPCODE_TABLE) OPCODES[typeof code === 'string' ? code.charCodeAt(0) : code] = { name, argument };

/** Whether `byte` starts an opcode: a file whose first byte is none is no pickle at all. */
export function isPickleOpcode(byte: number): boolean {
  return OPCODES[byte] !== undefined;
}


/** Runs one pickle, from the current position of `source` to its STOP (or to where CPython would raise). */
export async function runPickle(source: ByteSource, observer: PickleObserver, limits: PickleLimits): Promise<PickleEnd> {
  const stack: PickleValue[] = [];
  const marks: number[] = [];
  // As in pickle.py: MEMOIZE stores at len(memo), the number of entries (C: memo_len).
  const memo = new Memo();
  let protocol = 0;
  let opcodes = 0;
  // Set by line(): whether the last line was longer than what is kept, and its last byte.
  let lineWasCut = false;
  let lastLineByte = 0;
  let offset = source.position;

  const fence = (): number => (marks.length > 0 ? marks[marks.length - 1] : 0);
  const underflow = (): Unpicklable => new Unpicklable('unpickling stack underflow');
  // Objects (not shared values) on the stack, counted exactly as they come and go.
  let stackObjects = 0;
  const push = (value: PickleValue): void => {
    if (stack.length >= MAX_STACK) throw new OverBudget(`the unpickling stack grew past ${MAX_STACK.toLocaleString('en-US')} values`);
    if (!SHARED.has(value) && ++stackObjects > MAX_STACK_OBJECTS) throw new OverBudget(`the unpickling stack grew past ${MAX_STACK_OBJECTS.toLocaleString('en-US')} objects`);
    stack.push(value);
  };
  const removed = (values: PickleValue[]): PickleValue[] => {
    for (const value of values) if (!SHARED.has(value)) stackObjects--;
    return values;
  };
  const pop = (): PickleValue => {
    if (stack.length <= fence()) throw underflow();
    const value = stack.pop() as PickleValue;
    if (!SHARED.has(value)) stackObjects--;
    return value;
  };
  const top = (): PickleValue => {
    if (stack.length <= fence()) throw underflow();
    return stack[stack.length - 1];
  };
  /** The values pushed since the last MARK, which is removed (C: marker + Pdata_poplist). */
  const popMark = (): PickleValue[] => {
    const mark = marks.pop();
    if (mark === undefined) throw new Unpicklable('could not find MARK');
    return removed(stack.splice(mark));
  };
  const memoPut = (index: number, value: PickleValue): void => {
    if (!memo.has(index) && memo.size >= MAX_MEMO) throw new OverBudget(`the memo grew past ${MAX_MEMO.toLocaleString('en-US')} entries`);
    memo.set(index, value);
  };
  const memoGet = (index: number): PickleValue => {
    const value = memo.get(index);
    if (value === undefined) throw new Unpicklable(`memo value not found at index ${index}`);
    return value;
  };

  try {
    for (;;) {
      offset = source.position;
      const [code] = source.takeBuffered(1) ?? (await source.bytes(1));
      const opcode = OPCODES[code];
      if (!opcode) throw new Unpicklable(`byte 0x${code.toString(16).padStart(2, '0')} is not a pickle opcode`);
      if (++opcodes > limits.opcodes) throw new OverBudget('the opcode budget of this file ran out');
      switch (opcode.name) {
        case 'PROTO': {
          const version = await u8();
          if (version > HIGHEST_PROTOCOL) throw new Unpicklable(`unsupported pickle protocol: ${version}`);
          protocol = version;
          break;
        }
        case 'FRAME':
          // C treats a frame as a read-ahead hint and never checks opcodes against its end, so neither does this.
          await fixed(8);
          break;
        case 'STOP': {
          const value = pop();
          limits.opcodes -= opcodes;
          return { kind: 'stop', value, opcodes };
        }
        case 'MARK':
          marks.push(stack.length);
          break;
        case 'POP':
          // With nothing pushed since the last MARK, POP removes the mark (C load_pop).
          if (marks.length > 0 && marks[marks.length - 1] === stack.length) marks.pop();
          else pop();
          break;
        case 'POP_MARK':
          popMark();
          break;
        case 'DUP':
          push(top());
          break;
        case 'NONE':
        case 'NEWTRUE':
        case 'NEWFALSE':
        case 'FLOAT':
        case 'BINFLOAT':
          if (opcode.argument === 'line') await line('a float');
          if (opcode.argument === 'float8' && !source.takeBuffered(8)) await source.bytes(8);
          push(SCALAR);
          break;
        case 'INT':
        case 'LONG': {
          const text = await line(`an ${opcode.name}`);
          push(lineWasCut ? { kind: 'int' } : parseIntLine(text, opcode.name === 'INT'));
          break;
        }
        case 'BININT':
          push(intValue((await fixed(4)).readInt32LE(0)));
          break;
        case 'BININT1':
          push(intValue((source.takeBuffered(1) ?? (await source.bytes(1)))[0]));
          break;
        case 'BININT2':
          push(intValue((await fixed(2)).readUInt16LE(0)));
          break;
        case 'LONG1':
        case 'LONG4': {
          const length = opcode.name === 'LONG1' ? await u8() : (await fixed(4)).readInt32LE(0);
          if (length < 0) throw new Unpicklable('LONG pickle has negative byte count');
          if (length > 16) {
            await source.skip(length);
            push({ kind: 'int' });
          } else push(intValue(signedLittleEndian(await source.bytes(length))));
          break;
        }
        case 'STRING': {
          const text = await line('a STRING');
          if (!lineWasCut) push(decodeStringLine(text));
          else if (text[0] === lastLineByte && (lastLineByte === 0x27 || lastLineByte === 0x22)) push({ kind: 'str' });
          else throw new Unpicklable('the STRING opcode argument must be quoted');
          break;
        }
        case 'BINSTRING':
        case 'SHORT_BINSTRING': {
          const length = opcode.name === 'SHORT_BINSTRING' ? await u8() : (await fixed(4)).readInt32LE(0);
          if (length < 0) throw new Unpicklable('BINSTRING pickle has negative byte count');
          const data = await keep(length, MAX_KEPT_TEXT);
          push({ kind: 'str', text: data && python2Text(data), data });
          break;
        }
        case 'UNICODE': {
          const text = await line('a UNICODE');
          push({ kind: 'str', text: lineWasCut ? undefined : decodeRawUnicodeEscape(text) });
          break;
        }
        case 'BINUNICODE':
        case 'SHORT_BINUNICODE':
        case 'BINUNICODE8': {
          const length = opcode.argument === 'unicode1' ? (source.takeBuffered(1) ?? (await source.bytes(1)))[0] : await counted(opcode.argument);
          if (length > MAX_KEPT_TEXT || length > limits.keptBytes) {
            await source.skip(length);
            push({ kind: 'str' });
          } else {
            // Decoded straight from the read window: the text is a copy, no Buffer is kept.
            limits.keptBytes -= length;
            push({ kind: 'str', text: (source.takeBuffered(length) ?? (await source.bytes(length))).toString('utf8') });
          }
          break;
        }
        case 'BINBYTES':
        case 'SHORT_BINBYTES':
        case 'BINBYTES8':
        case 'BYTEARRAY8': {
          const length = await counted(opcode.argument);
          push({ kind: 'bytes', length, data: await keep(length, MAX_KEPT_BYTES) });
          break;
        }
        case 'EMPTY_TUPLE':
          push({ kind: 'tuple', items: [] });
          break;
        case 'TUPLE':
          push(tupleOf(popMark()));
          break;
        case 'TUPLE1':
        case 'TUPLE2':
        case 'TUPLE3': {
          const count = Number(opcode.name[5]);
          if (stack.length - fence() < count) throw underflow();
          push(tupleOf(removed(stack.splice(stack.length - count))));
          break;
        }
        case 'EMPTY_LIST':
          push({ kind: 'list' });
          break;
        case 'LIST':
          push(listOf(popMark()));
          break;
        case 'EMPTY_DICT':
          push({ kind: 'dict' });
          break;
        case 'DICT': {
          const items = popMark();
          if (items.length % 2 !== 0) throw new Unpicklable('odd number of items for DICT');
          const dict: PickleValue = { kind: 'dict' };
          await setItems(dict, items, offset);
          push(dict);
          break;
        }
        case 'EMPTY_SET':
          push({ kind: 'set' });
          break;
        case 'FROZENSET':
          popMark();
          push({ kind: 'set' });
          break;
        case 'APPEND': {
          const value = pop();
          await appendItems(top(), [value], 'APPEND');
          break;
        }
        case 'APPENDS': {
          const items = popMark();
          await appendItems(top(), items, 'APPENDS');
          break;
        }
        case 'SETITEM': {
          const value = pop();
          const key = pop();
          await setItems(top(), [key, value], offset);
          break;
        }
        case 'SETITEMS': {
          const items = popMark();
          if (items.length % 2 !== 0) throw new Unpicklable('odd number of items for SETITEMS');
          await setItems(top(), items, offset);
          break;
        }
        case 'ADDITEMS': {
          const items = popMark();
          const target = top();
          if (target.kind !== 'set' && items.length > 0) await observer.mutate('ADDITEMS', target, undefined, offset);
          break;
        }
        case 'GET':
          push(memoGet(parseIndexLine(await line('a GET'))));
          break;
        case 'BINGET':
          push(memoGet((source.takeBuffered(1) ?? (await source.bytes(1)))[0]));
          break;
        case 'LONG_BINGET':
          push(memoGet((await fixed(4)).readUInt32LE(0)));
          break;
        case 'PUT': {
          const index = parseIndexLine(await line('a PUT'));
          if (index < 0) throw new Unpicklable('negative PUT argument');
          memoPut(index, top());
          break;
        }
        case 'BINPUT':
          memoPut((source.takeBuffered(1) ?? (await source.bytes(1)))[0], top());
          break;
        case 'LONG_BINPUT':
          memoPut((await fixed(4)).readUInt32LE(0), top());
          break;
        case 'MEMOIZE':
          memoPut(memo.size, top());
          break;
        case 'GLOBAL':
        case 'INST': {
          const module = decodeName(await line('a module name'));
          const name = decodeName(await line('a name'));
          if (opcode.name === 'GLOBAL') {
            push(observer.importGlobal(module, name, protocol, offset));
            break;
          }
          const args = popMark();
          const cls = observer.importGlobal(module, name, protocol, offset);
          push(await observer.call('INST', cls, args, offset));
          break;
        }
        case 'STACK_GLOBAL': {
          const name = pop();
          const module = pop();
          if (!couldBeText(module) || !couldBeText(name)) throw new Unpicklable('STACK_GLOBAL requires str');
          if (module.kind === 'str' && name.kind === 'str' && module.text !== undefined && name.text !== undefined) push(observer.importGlobal(module.text, name.text, protocol, offset));
          else push(observer.importComputed(offset));
          break;
        }
        case 'EXT1':
        case 'EXT2':
        case 'EXT4': {
          const extension = opcode.name === 'EXT1' ? await u8() : opcode.name === 'EXT2' ? (await fixed(2)).readUInt16LE(0) : (await fixed(4)).readInt32LE(0);
          if (extension <= 0) throw new Unpicklable('EXT specifies code <= 0');
          push(observer.extension(extension, offset));
          break;
        }
        case 'REDUCE': {
          const args = pop();
          const callable = top();
          pop();
          push(await observer.call('REDUCE', callable, args.kind === 'tuple' && !args.cut ? args.items : undefined, offset));
          break;
        }
        case 'NEWOBJ': {
          const args = pop();
          const cls = pop();
          if (args.kind !== 'tuple' && !couldBeTuple(args)) throw new Unpicklable('NEWOBJ expected an arg tuple');
          push(await observer.call('NEWOBJ', cls, args.kind === 'tuple' && !args.cut ? args.items : undefined, offset));
          break;
        }
        case 'NEWOBJ_EX': {
          const kwargs = pop();
          const args = pop();
          const cls = pop();
          // Keyword values are arguments too: the observer sees them after the positional ones.
          const kept = args.kind === 'tuple' && !args.cut && kwargs.kind === 'dict' && !kwargs.cut ? [...args.items, ...(kwargs.entries?.values() ?? [])] : undefined;
          push(await observer.call('NEWOBJ_EX', cls, kept, offset));
          break;
        }
        case 'OBJ': {
          const items = popMark();
          if (items.length < 1) throw underflow();
          const [cls, ...args] = items;
          push(await observer.call('OBJ', cls, args, offset));
          break;
        }
        case 'BUILD': {
          const state = pop();
          const target = top();
          if (target.kind === 'object') target.state = state;
          await observer.mutate('BUILD', target, state, offset);
          break;
        }
        case 'PERSID': {
          const text = await line('a persistent id');
          push(observer.persistentLoad({ kind: 'str', text: lineWasCut ? undefined : text.toString('latin1') }, offset));
          break;
        }
        case 'BINPERSID':
          push(observer.persistentLoad(pop(), offset));
          break;
        case 'NEXT_BUFFER':
          push({ kind: 'buffer' });
          break;
        case 'READONLY_BUFFER':
          top();
          break;
        default:
          throw new Unpicklable(`opcode ${opcode.name} is not modelled`);
      }
    }
  } catch (error) {
    limits.opcodes -= Math.min(opcodes, limits.opcodes);
    if (error instanceof Unpicklable) return { kind: 'error', message: error.message, offset, opcodes };
    if (error instanceof FormatProblem) return { kind: 'error', message: error.message, offset, opcodes };
    if (error instanceof OverBudget) return { kind: 'limit', message: error.message, offset, opcodes };
    throw error;
  }

  function listOf(items: PickleValue[]): PickleValue {
    return items.length <= MAX_LIST_ITEMS && keepValues(limits, items.length) ? { kind: 'list', items } : { kind: 'list', cut: true };
  }

  function tupleOf(items: PickleValue[]): PickleValue {
    return keepValues(limits, items.length) ? { kind: 'tuple', items } : { kind: 'tuple', items: [], cut: true };
  }

  /** APPEND(S): a list grows; anything else has its `extend` or `append` method called (C do_append). */
  async function appendItems(target: PickleValue, items: PickleValue[], name: string): Promise<void> {
    if (target.kind === 'list') {
      if (target.cut) return;
      target.items ??= [];
      if (target.items.length + items.length <= MAX_LIST_ITEMS && keepValues(limits, items.length)) target.items.push(...items);
      else {
        target.items = undefined;
        target.cut = true;
      }
    } else if (items.length > 0) await observer.mutate(name, target, undefined, offset);
  }

  /** SETITEM(S): a dict records string keys (joblib's array headers need them); others get __setitem__ called. */
  async function setItems(target: PickleValue, items: PickleValue[], at: number): Promise<void> {
    if (target.kind !== 'dict') {
      if (items.length > 0) await observer.mutate('SETITEMS', target, undefined, at);
      return;
    }
    for (let i = 0; i + 1 < items.length; i += 2) {
      const key = items[i];
      if (target.cut || key.kind !== 'str') continue;
      target.entries ??= new Map();
      if (key.text !== undefined && (target.entries.has(key.text) || (target.entries.size < MAX_DICT_ENTRIES && keepValues(limits, 1)))) target.entries.set(key.text, items[i + 1]);
      else {
        target.entries = undefined;
        target.cut = true;
      }
    }
  }

  async function u8(): Promise<number> {
    return (await fixed(1))[0];
  }

  async function fixed(width: number): Promise<Buffer> {
    return source.takeBuffered(width) ?? source.bytes(width);
  }

  async function counted(argument: Argument): Promise<number> {
    if (argument.endsWith('1')) return u8();
    if (argument.endsWith('4')) return (await fixed(4)).readUInt32LE(0);
    const length = (await fixed(8)).readBigUInt64LE(0);
    if (length > BigInt(Number.MAX_SAFE_INTEGER)) throw new Unpicklable(`a length of ${length} bytes, more than any input holds`);
    return Number(length);
  }

  /** The next `length` bytes as an owned copy when they fit what is kept, else skipped. */
  async function keep(length: number, maxKept: number): Promise<Buffer | undefined> {
    if (length > maxKept || length > limits.keptBytes) {
      await source.skip(length);
      return undefined;
    }
    limits.keptBytes -= length;
    return Buffer.from(await source.bytes(length));
  }

  /**
   * A protocol-0 argument: the bytes up to '\n'. At the end of the input CPython takes what is there
   * and drops its last byte as if it were the newline; an empty line is "pickle data was truncated".
   */
  async function line(what: string): Promise<Buffer> {
    const kept: number[] = [];
    let length = 0;
    for (;;) {
      let byte: number;
      try {
        [byte] = source.takeBuffered(1) ?? (await source.bytes(1));
      } catch (error) {
        if (!(error instanceof FormatProblem) || length === 0) throw error;
        lineWasCut = length > MAX_LINE;
        return Buffer.from(kept.slice(0, -1));
      }
      if (byte === 0x0a) {
        lineWasCut = length > MAX_LINE;
        return Buffer.from(kept);
      }
      lastLineByte = byte;
      if (++length <= MAX_LINE) kept.push(byte);
      else if (length > MAX_LINE * 1024) throw new OverBudget(`${what} line is longer than ${MAX_LINE * 1024} bytes`);
    }
  }

  function decodeName(bytes: Buffer): string {
    if (lineWasCut) return `${bytes.toString('latin1', 0, 64)}… (a name too long to keep)`;
    if (bytes.length === 0) throw new Unpicklable('pickle data was truncated (an empty module or class name)');
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new Unpicklable('a module or class name is not valid UTF-8');
    }
  }
}

/**
 * The memo, keyed like CPython's (any index PUT names), held densely while indexes come in order
 * (MEMOIZE, and what picklers write): a pointer per entry rather than a map entry.
 */
class Memo {
  private readonly dense: PickleValue[] = [];
  private readonly sparse = new Map<number, PickleValue>();

  get size(): number {
    return this.dense.length + this.sparse.size;
  }

  has(index: number): boolean {
    return index < this.dense.length || this.sparse.has(index);
  }

  get(index: number): PickleValue | undefined {
    return index < this.dense.length ? this.dense[index] : this.sparse.get(index);
  }

  set(index: number, value: PickleValue): void {
    if (index < this.dense.length) this.dense[index] = value;
    else if (index === this.dense.length && !this.sparse.has(index)) this.dense.push(value);
    else this.sparse.set(index, value);
  }
}
