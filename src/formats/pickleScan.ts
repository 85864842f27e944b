import { FormatProblem, type ByteSource } from './byteReader';
import type { SecurityFinding } from './inspection';

/**
 * Pickle opcodes, read without ever executing them. Unpickling runs whatever callables the stream
 * imports (GLOBAL, STACK_GLOBAL, INST) and calls (REDUCE, OBJ, NEWOBJ): the imports are what a
 * scanner can judge. Argument layouts follow CPython's Lib/pickletools.py.
 */
type Argument =
  | 'none'
  | 'u1' | 'u2' | 'u4' | 'u8' // fixed-width integers (BININT*, GET/PUT indexes, FRAME, floats)
  | 'line' // text up to '\n' (protocol 0)
  | 'twoLines' // module '\n' name '\n' (GLOBAL, INST)
  | 'string1' | 'string4' | 'string8' // length-prefixed text, pushed on the stack
  | 'bytes1' | 'bytes4' | 'bytes8'; // length-prefixed data, skipped

interface Opcode {
  name: string;
  argument: Argument;
}

/** code, name, argument: the whole opcode table of protocols 0–5. */
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
  ['J', 'BININT', 'u4'], ['K', 'BININT1', 'u1'], ['M', 'BININT2', 'u2'], ['h', 'BINGET', 'u1'], ['j', 'LONG_BINGET', 'u4'],
  ['q', 'BINPUT', 'u1'], ['r', 'LONG_BINPUT', 'u4'], ['G', 'BINFLOAT', 'u8'], [0x80, 'PROTO', 'u1'], [0x82, 'EXT1', 'u1'],
  [0x83, 'EXT2', 'u2'], [0x84, 'EXT4', 'u4'], [0x95, 'FRAME', 'u8'],
  ['T', 'BINSTRING', 'string4'], ['U', 'SHORT_BINSTRING', 'string1'], ['X', 'BINUNICODE', 'string4'],
  [0x8c, 'SHORT_BINUNICODE', 'string1'], [0x8d, 'BINUNICODE8', 'string8'],
  [0x8a, 'LONG1', 'bytes1'], [0x8b, 'LONG4', 'bytes4'], ['B', 'BINBYTES', 'bytes4'], ['C', 'SHORT_BINBYTES', 'bytes1'],
  [0x8e, 'BINBYTES8', 'bytes8'], [0x96, 'BYTEARRAY8', 'bytes8'],
];
const OPCODES = new Map<number, Opcode>(OPCODE_TABLE.map(([code, name, argument]) => [typeof code === 'string' ? code.charCodeAt(0) : code, { name, argument }]));

/** Imports that run programs, open connections, touch files or evaluate code: high severity. */
const DANGEROUS_MODULES = new Set([
  'os', 'posix', 'nt', 'subprocess', 'socket', 'sys', 'shutil', 'importlib', 'runpy', 'pty', 'pickle', '_pickle', 'marshal', 'ctypes',
  'webbrowser', 'code', 'codeop', 'commands', 'multiprocessing', 'asyncio', 'requests', 'urllib', 'urllib2', 'http', 'httplib', 'ftplib',
  'telnetlib', 'smtplib', 'tempfile', 'signal', 'threading', '_thread', 'platform', 'glob', 'zipimport', 'dill', 'cloudpickle',
]);
const DANGEROUS_BUILTINS = new Set(['eval', 'exec', 'execfile', 'compile', '__import__', 'open', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'input', 'breakpoint', 'apply', 'help', 'exit', 'quit']);

/** What model pickles (PyTorch, NumPy, scikit-learn, joblib) import to rebuild their objects. */
const SAFE_EXACT = new Set([
  'collections.OrderedDict', 'collections.defaultdict', 'collections.Counter', 'collections.deque',
  'copyreg._reconstructor', 'copy_reg._reconstructor', '_codecs.encode',
  'numpy.dtype', 'numpy.ndarray', 'numpy.ma.core._mareconstruct',
  'joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  'datetime.datetime', 'datetime.date', 'datetime.time', 'datetime.timedelta', 'datetime.timezone',
  'decimal.Decimal', 'fractions.Fraction', 'uuid.UUID', 'argparse.Namespace', 're._compile',
  'pathlib.PosixPath', 'pathlib.WindowsPath', 'pathlib.PurePosixPath', 'pathlib.PureWindowsPath',
  'torch.Size', 'torch.device', 'torch.dtype', 'torch.storage._load_from_bytes',
]);
const SAFE_BUILTINS = new Set(['set', 'frozenset', 'dict', 'list', 'tuple', 'bytearray', 'bytes', 'slice', 'complex', 'range', 'int', 'float', 'str', 'bool', 'object', 'long', 'unicode']);
const SAFE_PREFIXES = [
  'torch._utils.', 'torch._tensor.', 'torch.nn.modules.', 'torch.nn.parameter.', 'torch.serialization._get_layout',
  'numpy.core.multiarray.', 'numpy._core.multiarray.', 'numpy.core.numeric.', 'numpy._core.numeric.', 'numpy.random._pickle.',
  'sklearn.', 'scipy.sparse.', 'xgboost.', 'lightgbm.', 'pandas.core.', 'pandas._libs.',
];
/** torch's storage and dtype names: torch.FloatStorage, torch.float16, torch.bfloat16 … */
const SAFE_TORCH_NAME = /^torch\.([A-Za-z0-9]*Storage|u?int\d*|float\d*|bfloat16|half|double|long|short|bool|complex\d*|cfloat|cdouble)$/;

export function judgeImport(module: string, name: string): SecurityFinding['severity'] | undefined {
  const qualified = `${module}.${name}`;
  const root = module.split('.')[0];
  if (DANGEROUS_MODULES.has(root)) return 'high';
  if (module === 'builtins' || module === '__builtin__') return DANGEROUS_BUILTINS.has(name) || !SAFE_BUILTINS.has(name) ? 'high' : undefined;
  if (module === 'operator' && (name === 'attrgetter' || name === 'methodcaller')) return 'high';
  if (SAFE_EXACT.has(qualified) || SAFE_TORCH_NAME.test(qualified) || SAFE_PREFIXES.some((prefix) => qualified.startsWith(prefix))) return undefined;
  return 'medium';
}

export interface PickleScan {
  /** Distinct imports, in the order first met ('collections.OrderedDict', …). */
  imports: string[];
  findings: SecurityFinding[];
  /** Callables invoked while unpickling (REDUCE, OBJ, NEWOBJ, NEWOBJ_EX, INST). */
  calls: number;
  opcodes: number;
  /** Pickles read one after another (legacy PyTorch files hold five). */
  pickles: number;
  /** False when the scan stopped before the end of the data (see the findings for why). */
  complete: boolean;
}

const MAX_TEXT_ARGUMENT = 64 * 1024;
/**
 * Tens of seconds of scanning: model pickles keep their tensors outside the opcodes (a few
 * thousand), while a pickled list of a billion floats would otherwise hold registration for minutes.
 */
const MAX_OPCODES = 50_000_000;

class OpcodeBudgetSpent extends Error {}
const MAX_MEMO_STRINGS = 100_000;
const MAX_LISTED_IMPORTS = 200;

/**
 * Scans a pickle stream opcode by opcode. Large arguments (tensor bytes) are skipped, not read, so
 * memory stays small whatever the size. `label` says where the pickle is (a zip member) in findings.
 * A stream that is not a pickle, or ends inside one, is a FormatProblem; after a first complete
 * pickle, data that is not another pickle (PyTorch's legacy raw storages) ends the scan.
 */
export async function scanPickle(source: ByteSource, label?: string): Promise<PickleScan> {
  const scan: PickleScan = { imports: [], findings: [], calls: 0, opcodes: 0, pickles: 0, complete: true };
  const seenImports = new Set<string>();
  const where = (offset: number): string => (label ? `${label} offset ${offset}` : `offset ${offset}`);
  const recordImport = (module: string, name: string, offset: number): void => {
    const qualified = `${module}.${name}`;
    const severity = judgeImport(module, name);
    if (!seenImports.has(qualified)) {
      seenImports.add(qualified);
      if (scan.imports.length < MAX_LISTED_IMPORTS) scan.imports.push(qualified);
    }
    if (severity && !scan.findings.some((finding) => finding.message.startsWith(`imports ${qualified} `))) {
      scan.findings.push({
        severity,
        code: severity === 'high' ? 'pickle.unsafe-import' : 'pickle.unknown-import',
        message: severity === 'high' ? `imports ${qualified} (unpickling it can run commands or code)` : `imports ${qualified} (outside the allowlist of model-loading imports; unpickling calls it)`,
        where: where(offset),
      });
    }
  };
  let sawArrayWrapper = false;

  while (!(await source.atEnd())) {
    const start = source.position;
    try {
      await scanOnePickle();
      scan.pickles++;
    } catch (error) {
      if (error instanceof OpcodeBudgetSpent) {
        scan.complete = false;
        scan.findings.push({ severity: 'medium', code: 'pickle.scan-incomplete', message: `the scan stopped after ${MAX_OPCODES.toLocaleString('en-US')} opcodes; imports after them were not checked`, where: where(source.position) });
        break;
      }
      if (!(error instanceof FormatProblem)) throw error;
      // joblib writes each NumPy array's raw bytes straight after its wrapper, inside the pickle
      // stream; they cannot be skipped without evaluating the wrapper, so the scan stops there.
      if (scan.pickles === 0 && !sawArrayWrapper) throw error;
      scan.complete = false;
      scan.findings.push({
        severity: 'medium',
        code: 'pickle.scan-incomplete',
        message: sawArrayWrapper
          ? 'the scan stopped at raw array data written by joblib; imports after it were not checked'
          : `the scan stopped at data that is not a pickle (${error.message}); imports after it were not checked`,
        where: where(start),
      });
      break;
    }
    // Legacy PyTorch files follow their pickles with raw storage bytes.
    if (scan.pickles > 0 && !(await startsAnotherPickle())) break;
  }
  if (scan.pickles === 0 && scan.complete) throw new FormatProblem('it is empty');
  return scan;

  async function startsAnotherPickle(): Promise<boolean> {
    return (await source.peek()) === 0x80;
  }

  async function scanOnePickle(): Promise<void> {
    // The last values pushed, as far as STACK_GLOBAL needs them: a string, or null for anything else.
    let pushed: (string | null)[] = [];
    // Only strings are kept (module and attribute names); memoLength counts every entry, as MEMOIZE
    // stores at index len(memo).
    const memo = new Map<number, string>();
    let memoLength = 0;
    const push = (value: string | null): void => {
      pushed.push(value);
      if (pushed.length > 2) pushed = pushed.slice(-2);
    };
    const memoize = (index: number): void => {
      const top = pushed[pushed.length - 1];
      if (typeof top === 'string' && memo.size < MAX_MEMO_STRINGS) memo.set(index, top);
      else memo.delete(index);
      memoLength = Math.max(memoLength, index + 1);
    };
    for (;;) {
      const offset = source.position;
      const [code] = source.takeBuffered(1) ?? (await source.bytes(1));
      const opcode = OPCODES.get(code);
      if (!opcode) throw new FormatProblem(`byte 0x${code.toString(16).padStart(2, '0')} at offset ${offset} is not a pickle opcode`);
      if (++scan.opcodes > MAX_OPCODES) throw new OpcodeBudgetSpent();
      const argument = fixedArgument(opcode.argument) ?? (await readArgument(opcode.argument, offset));
      switch (opcode.name) {
        case 'STOP':
          return;
        case 'GLOBAL':
        case 'INST': {
          const [module, name] = argument as [string, string];
          recordImport(module, name, offset);
          if (`${module}.${name}`.endsWith('NumpyArrayWrapper')) sawArrayWrapper = true;
          if (opcode.name === 'INST') scan.calls++;
          push(null);
          break;
        }
        case 'STACK_GLOBAL': {
          const [module, name] = pushed.length === 2 ? pushed : [null, null];
          if (typeof module === 'string' && typeof name === 'string') {
            recordImport(module, name, offset);
            if (name === 'NumpyArrayWrapper') sawArrayWrapper = true;
          } else {
            scan.findings.push({ severity: 'medium', code: 'pickle.dynamic-import', message: 'imports a callable whose name is computed, not written in the file', where: where(offset) });
          }
          pushed = [];
          push(null);
          break;
        }
        case 'REDUCE':
        case 'OBJ':
        case 'NEWOBJ':
        case 'NEWOBJ_EX':
          scan.calls++;
          pushed = [];
          push(null);
          break;
        case 'MEMOIZE':
          memoize(memoLength);
          break;
        case 'PUT':
        case 'BINPUT':
        case 'LONG_BINPUT':
          memoize(Number(argument));
          break;
        case 'GET':
        case 'BINGET':
        case 'LONG_BINGET':
          push(memo.get(Number(argument)) ?? null);
          break;
        case 'PROTO':
        case 'FRAME':
          break;
        case 'STRING':
          push(String(argument).replace(/^(['"])(.*)\1$/, '$2'));
          break;
        default:
          push(typeof argument === 'string' && STRING_OPCODES.has(opcode.name) ? argument : null);
      }
    }
  }

  /** A fixed-width argument (or none) straight from the buffer; undefined when a read must wait. */
  function fixedArgument(kind: Argument): number | null | undefined {
    if (kind === 'none') return null;
    const width = FIXED_WIDTH[kind];
    if (width === undefined) return undefined;
    const bytes = source.takeBuffered(width);
    if (!bytes) return undefined;
    return width === 1 ? bytes[0] : width === 2 ? bytes.readUInt16LE(0) : width === 4 ? bytes.readUInt32LE(0) : Number(bytes.readBigUInt64LE(0));
  }

  async function readArgument(kind: Argument, offset: number): Promise<string | number | [string, string] | null> {
    switch (kind) {
      case 'none':
        return null;
      case 'u1':
        return (await source.bytes(1))[0];
      case 'u2':
        return (await source.bytes(2)).readUInt16LE(0);
      case 'u4':
        return (await source.bytes(4)).readUInt32LE(0);
      case 'u8':
        return Number((await source.bytes(8)).readBigUInt64LE(0));
      case 'line':
        return readLine();
      case 'twoLines':
        return [await readLine(), await readLine()];
      case 'string1':
      case 'string4':
      case 'string8':
      case 'bytes1':
      case 'bytes4':
      case 'bytes8': {
        const width = kind.endsWith('1') ? 1 : kind.endsWith('4') ? 4 : 8;
        const header = await source.bytes(width);
        const length = width === 1 ? header[0] : width === 4 ? header.readInt32LE(0) : Number(header.readBigUInt64LE(0));
        if (length < 0 || !Number.isSafeInteger(length)) throw new FormatProblem(`the opcode at offset ${offset} has an impossible length ${length}`);
        if (kind.startsWith('string') && length <= MAX_TEXT_ARGUMENT) return (await source.bytes(length)).toString('utf8');
        await source.skip(length);
        return null;
      }
    }
  }

  /** Text up to '\n'; protocol 0 writes whole byte strings as lines, so only the start is kept. */
  async function readLine(): Promise<string> {
    const kept: number[] = [];
    for (;;) {
      const [byte] = await source.bytes(1);
      if (byte === 0x0a) return Buffer.from(kept).toString('latin1');
      if (kept.length < MAX_TEXT_ARGUMENT) kept.push(byte);
    }
  }
}

const FIXED_WIDTH: Partial<Record<Argument, number>> = { u1: 1, u2: 2, u4: 4, u8: 8 };

const STRING_OPCODES = new Set(['UNICODE', 'BINSTRING', 'SHORT_BINSTRING', 'BINUNICODE', 'SHORT_BINUNICODE', 'BINUNICODE8']);
