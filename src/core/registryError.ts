/**
 * The one error type the registry throws for anything a person can act on. The CLI turns it into
 * `mreg: <message>` and an exit code; the extension into a notification. Messages say what was
 * wrong and what to do about it.
 */
export type RegistryErrorCode =
  | 'INVALID_NAME'
  | 'INVALID_REF'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'DUPLICATE'
  | 'CONFLICT'
  | 'UNSAFE_PATH'
  | 'FILE_EXISTS'
  | 'CORRUPT'
  | 'LOCKED'
  | 'NEWER_FORMAT'
  | 'CANCELLED'
  | 'IO'
  /** The shared store is not where its clients last saw it: a missing or empty location (a share not mounted, a wrong prefix). */
  | 'STORE_UNREACHABLE'
  /** The location holds a different shared store than the one this registry syncs with. */
  | 'WRONG_STORE'
  | 'UNSUPPORTED'
  | 'DIRTY_TREE'
  | 'GATE_FAILED';

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

export function isRegistryError(error: unknown, code?: RegistryErrorCode): error is RegistryError {
  return error instanceof RegistryError && (code === undefined || error.code === code);
}

/** Stops long work (hashing, copying) when the caller's AbortSignal fires. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new RegistryError('CANCELLED', 'Cancelled; nothing was registered or changed.');
  }
}
