import { StreamReader, type ByteSource } from './byteReader';
import type { SecurityFinding } from './inspection';
import { DANGEROUS_BUILTINS, DANGEROUS_MODULES, PICKLE_ALLOWLIST, PICKLE_CALLABLE_ROLES } from './pickleAllowlist';
import { PYTHON2_MODULES, PYTHON2_NAMES } from './pickleCompatNames';
import { keepValues, OverBudget, runPickle, Unpicklable, type CallOpcode, type PickleObserver, type PickleValue } from './pickleMachine';

export interface PickleScan {
  /** Distinct imports, in the order first met ('collections.OrderedDict', …), after Python 2 renames. */
  imports: string[];
  findings: SecurityFinding[];
  /** Callables invoked while unpickling (REDUCE, OBJ, NEWOBJ, NEWOBJ_EX, INST). */
  calls: number;
  opcodes: number;
  /** Pickles read (a legacy torch.save file holds five; nested ones count too). */
  pickles: number;
  /** False when a budget stopped the scan, or a pickle is damaged (see the findings for where). */
  complete: boolean;
  /** Set when the file is a legacy (non-zip) torch.save: magic number, version, sys_info, model, storage keys. */
  legacyTorch: boolean;
}

/** Tens of seconds at most: model pickles keep their tensors outside the opcodes (a few thousand). */
const MAX_OPCODES = 50_000_000;
/** str and bytes values kept over a whole file, for names and for pickles nested in bytes. */
const MAX_KEPT_BYTES = 64 * 1024 * 1024;
/** Values kept inside containers over a whole file (a million: tens of MB). */
const MAX_KEPT_VALUES = 1_000_000;
/** Pickles in bytes in pickles (torch.storage._load_from_bytes of a file that does it again …). */
const MAX_NESTING = 4;
const MAX_LISTED_IMPORTS = 200;
/** What one file records stays small: past this many findings, only their number. */
const MAX_FINDINGS = 100;
/** The first pickle of a legacy torch.save file: torch.serialization.MAGIC_NUMBER. */
const TORCH_MAGIC_NUMBER = 0x1950a86a20f9469cfc6cn;
/** Bytes per element of the storages a legacy torch.save file writes after its pickles. */
const TORCH_ELEMENT_BYTES: Record<string, number> = {
  DoubleStorage: 8, FloatStorage: 4, HalfStorage: 2, BFloat16Storage: 2, LongStorage: 8, IntStorage: 4, ShortStorage: 2, CharStorage: 1,
  ByteStorage: 1, BoolStorage: 1, ComplexFloatStorage: 8, ComplexDoubleStorage: 16, QInt8Storage: 1, QUInt8Storage: 1, QInt32Storage: 4,
  UntypedStorage: 1,
};
const JOBLIB_ARRAY_WRAPPERS = new Set(['joblib.numpy_pickle.NumpyArrayWrapper', 'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper']);
const LATIN1_CODECS = new Set(['latin1', 'latin_1', 'latin', 'l1', 'iso_8859_1', 'iso8859_1', 'iso_8859_1:1987', '8859', 'cp819']);

const ALLOWED = new Set(Object.values(PICKLE_ALLOWLIST).flatMap((modules) => Object.entries(modules).flatMap(([module, names]) => names.map((name) => `${module}\n${name}`))));

/** Whether CPython's find_class(module, name) returns something on the allowlist. */
export function isAllowedImport(module: string, name: string): boolean {
  return ALLOWED.has(`${module}\n${name}`);
}

/** The (module, name) Python 3 imports for a pickle's GLOBAL: Python 2 names are renamed below protocol 3. */
export function python3Import(module: string, name: string, protocol: number): [string, string] {
  if (protocol >= 3) return [module, name];
  const renamed = PYTHON2_NAMES[`${module} ${name}`];
  if (renamed) return [renamed[0], renamed[1]];
  return [PYTHON2_MODULES[module] ?? module, name];
}

/** Imports known to run commands or code (every import off the allowlist is a high finding; these say so). */
function isKnownDangerous(module: string, name: string): boolean {
  const parts = [...module.split('.'), ...name.split('.')];
  if (parts.some((_, i) => DANGEROUS_MODULES.has(parts.slice(0, i + 1).join('.')) || (i > 0 && DANGEROUS_MODULES.has(parts[i])))) return true;
  if (module === 'builtins' || module === '__builtin__') return DANGEROUS_BUILTINS.has(name.split('.')[0]);
  return module === 'operator' && ['attrgetter', 'methodcaller', 'itemgetter'].includes(name);
}

export interface PickleScanOptions {
  /** Where the pickle is, for findings: a zip member's name. */
  label?: string;
  /**
   * A TorchScript archive's pickle: torch.jit.load resolves `__torch__.*` names to the classes compiled
   * from the archive's code/ (reported as such), not to Python modules; other names are judged as usual.
   */
  torchScript?: boolean;
  /**
   * Whether the bytes are known to be a pickle (by name or PROTO). When not (a probe of a file),
   * data whose first pickle fails before importing, calling or loading anything is no pickle, and
   * no finding; one that acted before failing is reported like any damaged pickle, since a loader
   * runs what came first.
   */
  knownPickle?: boolean;
  /**
   * For archive members no loader unpickles by name: they count as pickles only when their first
   * pickle is complete or calls something before it fails; what a failed probe merely seemed to
   * import is dropped (Python source starting with `class …` reads as a GLOBAL).
   */
  completeOnly?: boolean;
}

/**
 * Scans every pickle of one inspected file, as CPython's unpickler would run them (see
 * pickleMachine.ts), and judges what they import and call against the allowlist. Findings,
 * imports and budgets are shared by all pickles of the file, nested ones included.
 */
export class PickleScanner {
  private readonly scan: PickleScan = { imports: [], findings: [], calls: 0, opcodes: 0, pickles: 0, complete: true, legacyTorch: false };
  private readonly seenImports = new Set<string>();
  private readonly reported = new Set<string>();
  private readonly limits = { opcodes: MAX_OPCODES, keptBytes: MAX_KEPT_BYTES, keptValues: MAX_KEPT_VALUES };
  private depth = 0;
  private unlisted = 0;

  /** `scanNestedArchive` reads a zip handed to a re-unpickler (torch.load of zip bytes). */
  constructor(private readonly scanNestedArchive?: (data: Buffer, label: string) => Promise<void>) {}

  result(): PickleScan {
    if (this.unlisted === 0) return this.scan;
    const more: SecurityFinding = { severity: 'high', code: 'pickle.more-findings', message: `${this.unlisted} more finding(s) of this file are not listed` };
    return { ...this.scan, findings: [...this.scan.findings, more] };
  }

  report(finding: SecurityFinding): void {
    const key = `${finding.code}\n${finding.message}`;
    if (this.reported.has(key)) return;
    if (this.scan.findings.length >= MAX_FINDINGS) {
      this.unlisted++;
      return;
    }
    this.reported.add(key);
    this.scan.findings.push(finding);
  }

  markIncomplete(): void {
    this.scan.complete = false;
  }

  /**
   * Scans pickle after pickle to the end of `source`. Returns false when the data is no pickle at
   * all (only when not `knownPickle`). A legacy torch.save file is read as torch.load reads it:
   * five pickles, then the storages' raw bytes.
   */
  async scanStream(source: ByteSource, options: PickleScanOptions = {}): Promise<boolean> {
    const values: PickleValue[] = [];
    const storageTypes = new Map<string, string>();
    const before = { findings: this.scan.findings.length, imports: this.scan.imports.length, calls: this.scan.calls, unlisted: this.unlisted };
    while (!(await source.atEnd())) {
      const start = source.position;
      const observer = new ScanObserver(this, source, options, storageTypes);
      const end = await runPickle(source, observer, this.limits);
      this.scan.opcodes += end.opcodes;
      if (end.kind === 'limit') {
        this.markIncomplete();
        this.report({ severity: 'high', code: 'pickle.scan-limit', message: `the scan stopped (${end.message}); what follows was not checked`, where: where(options.label, end.offset) });
        return true;
      }
      if (end.kind === 'error') {
        if (values.length === 0 && !options.knownPickle && (!observer.acted || (options.completeOnly && !observer.called))) {
          this.rollBack(before);
          return false;
        }
        this.markIncomplete();
        if (values.length === 0 || observer.acted) {
          this.report({
            severity: 'high',
            code: 'pickle.malformed',
            message: `the pickle is damaged (${end.message}): Python stops there, after running what came before; a loader that tolerates it is not modelled`,
            where: where(options.label, end.offset),
          });
        } else {
          this.report({ severity: 'low', code: 'pickle.trailing-data', message: `${values.length} pickle(s) are followed by data that is not one (${end.message}); pickle.load never reads it`, where: where(options.label, start) });
        }
        return true;
      }
      this.scan.pickles++;
      values.push(end.value);
      if (values.length === 1 && this.depth === 0 && isTorchMagic(end.value)) this.scan.legacyTorch = true;
      if (isTorchMagic(values[0]) && values.length === 5) {
        await this.skipLegacyStorages(source, values[4], storageTypes, options.label);
        return true;
      }
    }
    if (values.length === 0 && options.knownPickle) {
      this.markIncomplete();
      this.report({ severity: 'high', code: 'pickle.malformed', message: 'the pickle is empty', where: where(options.label, source.position) });
    }
    return values.length > 0;
  }

  /** After a legacy file's fifth pickle (its storage keys): per key, an int64 element count and the elements. */
  private async skipLegacyStorages(source: ByteSource, keys: PickleValue, storageTypes: Map<string, string>, label: string | undefined): Promise<void> {
    if (keys.kind !== 'list' || keys.cut) return;
    for (const key of keys.items ?? []) {
      const size = key.kind === 'str' && key.text !== undefined ? TORCH_ELEMENT_BYTES[storageTypes.get(key.text) ?? ''] : undefined;
      if (size === undefined || (await source.atEnd())) return;
      const count = (await source.bytes(8)).readBigInt64LE(0);
      const bytes = count * BigInt(size);
      if (count < 0n || bytes > BigInt(Number.MAX_SAFE_INTEGER)) return;
      try {
        await source.skip(Number(bytes));
      } catch {
        return;
      }
    }
    if (!(await source.atEnd())) {
      this.report({ severity: 'low', code: 'pickle.trailing-data', message: 'data follows the last storage of this legacy torch.save file; torch.load never reads it', where: where(label, source.position) });
    }
  }

  private rollBack(to: { findings: number; imports: number; calls: number; unlisted: number }): void {
    for (const finding of this.scan.findings.splice(to.findings)) this.reported.delete(`${finding.code}\n${finding.message}`);
    for (const qualified of this.scan.imports.splice(to.imports)) this.seenImports.delete(qualified);
    this.scan.calls = to.calls;
    this.unlisted = to.unlisted;
  }

  recordImport(qualified: string): void {
    if (this.seenImports.has(qualified)) return;
    this.seenImports.add(qualified);
    if (this.scan.imports.length < MAX_LISTED_IMPORTS) this.scan.imports.push(qualified);
  }

  /** Whether a call's result may keep `count` argument values (the file's budget of kept values). */
  keep(count: number): boolean {
    return keepValues(this.limits, count);
  }

  countCall(): void {
    this.scan.calls++;
  }

  /** Scans bytes a re-unpickler loads (torch.storage._load_from_bytes runs torch.load on them). */
  async scanNested(data: Buffer, label: string): Promise<void> {
    if (this.depth >= MAX_NESTING) {
      this.report({ severity: 'high', code: 'pickle.nesting-limit', message: `pickles nested more than ${MAX_NESTING} deep were not scanned`, where: label });
      return;
    }
    this.depth++;
    try {
      if (data.length >= 4 && data.readUInt32LE(0) === 0x04034b50 && this.scanNestedArchive) await this.scanNestedArchive(data, label);
      else await this.scanStream(new StreamReader(oneChunk(data)), { label, knownPickle: true });
    } finally {
      this.depth--;
    }
  }

  /** A pickle written inline in the stream being scanned (joblib's object arrays), from the current position. */
  async scanInline(source: ByteSource, options: PickleScanOptions): Promise<void> {
    const observer = new ScanObserver(this, source, options, new Map());
    const end = await runPickle(source, observer, this.limits);
    this.scan.opcodes += end.opcodes;
    if (end.kind === 'stop') this.scan.pickles++;
    else if (end.kind === 'limit') throw new OverBudget(end.message);
    else throw new Unpicklable(`the array pickled inside it is damaged (${end.message})`);
  }
}

/** The judgement of one pickle's imports and calls, reporting to the file's scanner. */
class ScanObserver implements PickleObserver {
  /** Whether the pickle imported, called or loaded anything (a stream that did nothing and failed is no pickle). */
  acted = false;
  /** Whether it called something: text that starts like a GLOBAL rarely goes on to a well-formed call. */
  called = false;

  constructor(
    private readonly scanner: PickleScanner,
    private readonly source: ByteSource,
    private readonly options: PickleScanOptions,
    private readonly storageTypes: Map<string, string>,
  ) {}

  importGlobal(written: string, writtenName: string, protocol: number, offset: number): PickleValue {
    this.acted = true;
    const [module, name] = python3Import(written, writtenName, protocol);
    const qualified = `${module}.${name}`;
    const allowed = isAllowedImport(module, name);
    this.scanner.recordImport(qualified);
    const torchScriptClass = this.options.torchScript === true && (module === '__torch__' || module.startsWith('__torch__.'));
    if (!allowed && !torchScriptClass) {
      const dangerous = isKnownDangerous(module, name);
      this.scanner.report({
        severity: 'high',
        code: dangerous ? 'pickle.unsafe-import' : 'pickle.unknown-import',
        message: dangerous ? `imports ${qualified} (unpickling it can run commands or code)` : `imports ${qualified} (not on the allowlist of model-loading imports; unpickling imports and calls it)`,
        where: this.where(offset),
      });
    }
    return { kind: 'global', module, name, qualified, allowed };
  }

  importComputed(offset: number): PickleValue {
    this.acted = true;
    this.scanner.report({ severity: 'high', code: 'pickle.dynamic-import', message: 'imports a callable whose module or name is computed while unpickling, not written in the file', where: this.where(offset) });
    return { kind: 'global', module: '?', name: '?', qualified: 'a computed import', allowed: false };
  }

  extension(code: number, offset: number): PickleValue {
    this.acted = true;
    this.scanner.report({
      severity: 'high',
      code: 'pickle.extension-code',
      message: `imports the callable registered as extension code ${code} (copyreg.add_extension): Python registers none, so it is whatever the loading program registered`,
      where: this.where(offset),
    });
    return { kind: 'global', module: '?', name: `extension ${code}`, qualified: `extension code ${code}`, allowed: false };
  }

  /**
   * The loader's own persistent_load decides what a persistent id becomes (pickle.load refuses
   * them); torch.load makes storages of ('storage', storage type, key, location, element count),
   * whose types a legacy file's raw data needs. The storage type is an import, judged as such.
   */
  persistentLoad(id: PickleValue): PickleValue {
    this.acted = true;
    const [typename, storageType, key] = id.kind === 'tuple' ? id.items : [];
    if (typename?.kind === 'str' && typename.text === 'storage' && storageType?.kind === 'global' && key?.kind === 'str' && key.text !== undefined) this.storageTypes.set(key.text, storageType.name);
    return { kind: 'persistent', id };
  }

  async call(opcode: CallOpcode, callable: PickleValue, args: PickleValue[] | undefined, offset: number): Promise<PickleValue> {
    this.acted = true;
    this.called = true;
    this.scanner.countCall();
    const result: PickleValue = { kind: 'object', callable, args: args && this.scanner.keep(args.length) ? args : undefined };
    if (callable.kind !== 'global') {
      this.scanner.report({
        severity: 'high',
        code: 'pickle.computed-callable',
        message: `calls ${describe(callable)} (${opcode}): a value computed while unpickling, not an imported callable the scanner can judge`,
        where: this.where(offset),
      });
      return result;
    }
    const role = PICKLE_CALLABLE_ROLES[callable.qualified];
    // An import off the allowlist was reported when imported; only its payload is still of interest.
    if (!role || (!callable.allowed && !role.unpickles)) return result;
    for (const index of role.calls ?? []) {
      const argument = args?.[index];
      if (args === undefined || (argument && argument.kind !== 'global' && argument.kind !== 'scalar')) {
        this.scanner.report({
          severity: 'high',
          code: 'pickle.computed-callable',
          message: `hands ${args === undefined ? 'arguments the scanner cannot follow' : describe(argument as PickleValue)} to ${callable.qualified}, which calls it`,
          where: this.where(offset),
        });
      }
    }
    if (role.latin1Bytes) {
      const [text, encoding] = args ?? [];
      if (text?.kind === 'str' && text.text !== undefined && encoding?.kind === 'str' && LATIN1_CODECS.has((encoding.text ?? '').toLowerCase().replace(/-/g, '_')) && !/[^\u0000-\u00ff]/.test(text.text)) {
        return { kind: 'bytes', data: Buffer.from(text.text, 'latin1'), length: text.text.length };
      }
    }
    if (role.unpickles) {
      const payload = args?.[0];
      const data = payload && (payload.kind === 'bytes' || payload.kind === 'str') ? payload.data : undefined;
      if (data) await this.scanner.scanNested(data, `${this.where(offset)} → bytes passed to ${callable.qualified}`);
      else {
        this.scanner.report({
          severity: 'high',
          code: 'pickle.nested-unscanned',
          message: `hands ${payload ? describe(payload) : 'arguments the scanner cannot follow'} to ${callable.qualified}, which unpickles it; those bytes could not be scanned`,
          where: this.where(offset),
        });
      }
    }
    return result;
  }

  async mutate(opcode: string, target: PickleValue, state: PickleValue | undefined, offset: number): Promise<void> {
    this.acted = true;
    if (target.kind === 'object') {
      if (opcode === 'BUILD' && target.callable.kind === 'global' && JOBLIB_ARRAY_WRAPPERS.has(target.callable.qualified) && state) await this.readJoblibArray(state, offset);
      return;
    }
    if (target.kind !== 'global' && target.kind !== 'persistent') return; // CPython raises, or BUILD of None does nothing
    this.scanner.report({
      severity: 'high',
      code: 'pickle.attribute-write',
      message:
        opcode === 'BUILD'
          ? `sets attributes of ${describe(target)} (BUILD), which changes what later code runs`
          : `calls a method of ${describe(target)} (${opcode}) rather than filling a container the pickle built`,
      where: this.where(offset),
    });
  }

  /**
   * joblib.load (NumpyUnpickler.load_build) reads an array's data straight after its wrapper's BUILD:
   * a nested pickle for object arrays, else an optional alignment padding and the raw elements.
   */
  private async readJoblibArray(state: PickleValue, offset: number): Promise<void> {
    const fields = state.kind === 'dict' && !state.cut ? (state.entries ?? new Map<string, PickleValue>()) : undefined;
    const shape = fields?.get('shape');
    const dtype = fields?.get('dtype');
    const descriptor = dtype?.kind === 'object' ? dtype.args?.[0] : undefined;
    const dtypeState = dtype?.kind === 'object' && dtype.state?.kind === 'tuple' ? dtype.state.items : undefined;
    if (shape?.kind !== 'tuple' || descriptor?.kind !== 'str' || descriptor.text === undefined || shape.items.some((item) => item.kind !== 'int' || item.value === undefined)) {
      throw new OverBudget('joblib array data follows an array whose shape or dtype the scanner cannot read');
    }
    if (holdsObjects(dtype as PickleValue, 0)) {
      await this.scanner.scanInline(this.source, { ...this.options, label: `${this.where(offset)}, the object array after it` });
      return;
    }
    const declared = dtypeState?.[5];
    const itemSize = declared?.kind === 'int' && declared.value !== undefined && declared.value >= 0n ? declared.value : BigInt(/(\d+)$/.exec(descriptor.text)?.[1] ?? -1);
    if (itemSize < 0n) throw new OverBudget(`joblib array data of dtype '${descriptor.text}' has a size the scanner cannot tell`);
    if (fields?.has('numpy_array_alignment_bytes')) {
      const [padding] = await this.source.bytes(1);
      await this.source.skip(padding);
    }
    const count = shape.items.reduce((product, item) => product * (item.kind === 'int' ? (item.value ?? 0n) : 0n), 1n);
    const bytes = count * itemSize;
    if (bytes < 0n || bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new Unpicklable('a joblib array larger than any file');
    await this.source.skip(Number(bytes));
  }

  private where(offset: number): string {
    return where(this.options.label, offset);
  }
}

/**
 * Whether a numpy dtype, rebuilt as numpy.dtype(descr, …) then BUILD with its state
 * (version, byteorder, subarray, names, fields, elsize, alignment, flags), holds Python objects:
 * an 'O' descriptor, or a field or subarray whose dtype does. Throws when the state cannot be read.
 */
function holdsObjects(dtype: PickleValue, depth: number): boolean {
  const descriptor = dtype.kind === 'object' ? dtype.args?.[0] : undefined;
  if (descriptor?.kind !== 'str' || descriptor.text === undefined || depth > 32) throw new OverBudget('joblib array data follows a dtype the scanner cannot read');
  if (/O/.test(descriptor.text)) return true;
  const state = dtype.kind === 'object' && dtype.state?.kind === 'tuple' ? dtype.state.items : [];
  const [, , subarray, , fields] = state;
  if (subarray && subarray.kind !== 'scalar') {
    if (subarray.kind !== 'tuple' || !subarray.items[0]) throw new OverBudget('joblib array data follows a subarray dtype the scanner cannot read');
    if (holdsObjects(subarray.items[0], depth + 1)) return true;
  }
  if (fields && fields.kind !== 'scalar') {
    if (fields.kind !== 'dict' || fields.cut) throw new OverBudget('joblib array data follows a structured dtype the scanner cannot read');
    for (const field of fields.entries?.values() ?? []) {
      if (field.kind !== 'tuple' || !field.items[0] || holdsObjects(field.items[0], depth + 1)) return true;
    }
  }
  return false;
}

function where(label: string | undefined, offset: number): string {
  return label ? `${label} offset ${offset}` : `offset ${offset}`;
}

function isTorchMagic(value: PickleValue | undefined): boolean {
  return value?.kind === 'int' && value.value === TORCH_MAGIC_NUMBER;
}

/** A value as a person reads it in a finding (never recursive: calls on call results chain without end). */
function describe(value: PickleValue): string {
  switch (value.kind) {
    case 'global':
      return value.qualified;
    case 'object':
      return value.callable.kind === 'global' ? `what ${value.callable.qualified} returned` : 'a value computed while unpickling';
    case 'persistent':
      return 'an object the loader returned for a persistent id';
    case 'str':
      return 'a string';
    case 'bytes':
      return value.data ? 'bytes' : `${value.length} bytes (too many to keep for a scan)`;
    default:
      return `a ${value.kind}`;
  }
}

async function* oneChunk(data: Buffer): AsyncIterable<Buffer> {
  yield data;
}

/**
 * Scans a bare pickle file (or stream): every pickle in it, as `scanStream` does. Kept for callers
 * that need one pickle stream's verdict; archives share one PickleScanner across members.
 */
export async function scanPickle(source: ByteSource, label?: string): Promise<PickleScan> {
  const scanner = new PickleScanner();
  await scanner.scanStream(source, { label, knownPickle: true });
  return scanner.result();
}
