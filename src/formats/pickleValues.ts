/** The abstract values the pickle machine (pickleMachine.ts) keeps on its stack and in its memo. */

export type PickleValue =
  | { kind: 'str'; text?: string; data?: Buffer } // text undefined: too long to keep; data: Python 2 str bytes
  | { kind: 'bytes'; data?: Buffer; length: number } // data undefined: too large to keep
  | { kind: 'int'; value?: bigint } // value undefined: wider than kept
  | { kind: 'scalar' } // None, True, False, floats: nothing a scanner needs
  | { kind: 'global'; module: string; name: string; qualified: string; allowed: boolean }
  | { kind: 'tuple'; items: PickleValue[]; cut?: boolean } // cut: items not kept (the file's budget of kept values ran out)
  | { kind: 'list'; items?: PickleValue[]; cut?: boolean } // items made on first append; cut: past the kept length
  | { kind: 'dict'; entries?: Map<string, PickleValue>; cut?: boolean } // string keys only, made on first set
  | { kind: 'set' }
  | { kind: 'object'; callable: PickleValue; args?: PickleValue[]; state?: PickleValue } // what a call returned
  | { kind: 'persistent'; id: PickleValue }
  | { kind: 'buffer' };

export const SCALAR: PickleValue = { kind: 'scalar' };
/** Small ints are shared: a pickle of millions of them then costs a pointer each on the stack. */
export const SMALL_INTS: PickleValue[] = Array.from({ length: 1025 }, (_, i) => ({ kind: 'int', value: BigInt(i - 1) }));

export const SHARED = new Set<PickleValue>([SCALAR, ...SMALL_INTS]);

export function intValue(value: bigint | number): PickleValue {
  const number = typeof value === 'number' ? value : value >= -1n && value <= 1023n ? Number(value) : undefined;
  if (number !== undefined && number >= -1 && number <= 1023) return SMALL_INTS[number + 1];
  return { kind: 'int', value: BigInt(value) };
}

/** Where CPython raises: unpickling stops, and nothing after this point runs. */
export class Unpicklable extends Error {}
/** A budget ran out, or the scanner cannot follow what the loader does next: the rest is not scanned. */
export class OverBudget extends Error {}

/** A value CPython would accept as text in STACK_GLOBAL, as far as the machine can tell. */
export function couldBeText(value: PickleValue): boolean {
  return value.kind === 'str' || couldBeAnything(value);
}

export function couldBeTuple(value: PickleValue): boolean {
  return couldBeAnything(value);
}

/** What a call returned, a persistent id's object, or an attribute no allowlist vouches for: any Python value. */
export function couldBeAnything(value: PickleValue): boolean {
  return value.kind === 'object' || value.kind === 'persistent' || (value.kind === 'global' && !value.allowed);
}

