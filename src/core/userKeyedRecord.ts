/**
 * Records keyed by text a person or a file chose (metric, param and tag names, package names).
 * On a plain object, assigning `record['__proto__'] = v` replaces the prototype instead of storing
 * a key, and reading `record['constructor']` finds a function nobody wrote. So such records are
 * written with `setOwn` (an own data property, whatever the key) and read with `ownValue`; they stay
 * plain objects, so callers of the library can still compare, spread and print them.
 */
export function userKeyedRecord<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record: Record<string, T> = {};
  for (const [key, value] of entries) setOwn(record, key, value);
  return record;
}

/** Stores `value` under `key` as the record's own property, `__proto__` included. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The value stored under `key` itself, never one inherited from a prototype. */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
