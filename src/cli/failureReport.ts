import { CommanderError } from 'commander';
import { isRegistryError, type RegistryErrorCode } from '../core/registryError';
import { registryErrorFromFileSystem } from '../store/fileSystemErrors';
import { EXIT } from './cliContext';

/** A failure's code: the registry's own, `USAGE` for a command line mreg refuses, `INTERNAL` for a defect. */
export type FailureCode = RegistryErrorCode | 'USAGE' | 'INTERNAL';

export interface Failure {
  code: FailureCode;
  message: string;
  exitCode: number;
}

/**
 * What went wrong, as the exit code and the code a program can branch on. Help and --version end
 * as a CommanderError too, with exit code 0: they are no failure.
 */
export function failureOf(error: unknown): Failure | undefined {
  if (error instanceof CommanderError) {
    if (error.exitCode === 0) return undefined;
    return { code: 'USAGE', message: error.message.replace(/^error: /, ''), exitCode: EXIT.usage };
  }
  // A disk that filled up or turned read-only where nothing mapped it yet still says which file and what to do.
  const registryError = isRegistryError(error) ? error : registryErrorFromFileSystem(error);
  if (registryError) {
    const exitCode = registryError.code === 'GATE_FAILED' ? EXIT.gates : registryError.code === 'CANCELLED' ? EXIT.cancelled : EXIT.failure;
    return { code: registryError.code, message: registryError.message, exitCode };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'INTERNAL', message: `unexpected error: ${message}`, exitCode: EXIT.failure };
}

/**
 * What mreg prints on stderr for a failure, after what commander printed for a usage error: one
 * line `mreg: <message>` for a person, or with `--json` one JSON line `{"error": {"code", "message",
 * "exitCode"}}`, so a program (the Python client, a CI script) never reads a message to learn what
 * failed. With --json it is the last line of stderr; stdout keeps what the command printed (for
 * GATE_FAILED, the gates' evaluation).
 */
export function failureText(failure: Failure, json: boolean): string {
  if (json) return `${JSON.stringify({ error: failure })}\n`;
  // commander has already said what was wrong with the command line
  return failure.code === 'USAGE' ? '' : `mreg: ${failure.message}\n`;
}
