import { InvalidArgumentError, type Command } from 'commander';
import { parseRef } from '../core/refs';
import { Registry } from '../registry/registry';
import { locateProjectRoot, locateRegistryFolder } from '../store/registryFolder';

/** Exit codes: 0 success, 1 failure (one line on stderr starting `mreg:`), 2 usage error, 3 refused by the policy's gates, 130 cancelled. */
export const EXIT = { ok: 0, failure: 1, usage: 2, gates: 3, cancelled: 130 } as const;

/** The options every command has. */
export interface GlobalOptions {
  registry?: string;
  json?: boolean;
}

/**
 * What every command group in commands/ shares: opening the registry, printing text or JSON,
 * warnings on stderr, usage errors, and the signal Ctrl+C aborts.
 */
export interface CliContext {
  /** `willWrite`: the command writes (see RegistryOptions.willWrite). */
  withRegistry(command: Command, work: (registry: Registry, options: GlobalOptions) => Promise<void>, access?: { willWrite: boolean }): Promise<void>;
  emit(options: GlobalOptions, json: unknown, text: string): void;
  warn(message: string): void;
  /** Option values checked inside an action are usage errors too: printed like commander's own, exit 2. */
  parseOrUsageError<T>(command: Command, parse: () => T): T;
  /** A bare model name works, but what it resolves to changes with every registration. */
  warnIfUnpinned(refText: string, pinned: boolean, number: number): void;
  signal: AbortSignal;
}

export function createCliContext(signal: AbortSignal): CliContext {
  const warn = (message: string) => process.stderr.write(`mreg: warning: ${message}\n`);
  return {
    signal,
    warn,
    emit(options, json, text) {
      process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`);
    },
    async withRegistry(command, work, access) {
      const options = command.optsWithGlobals<GlobalOptions>();
      const cwd = process.cwd();
      const registry = await Registry.open({ folder: locateRegistryFolder(cwd, options.registry), projectRoot: locateProjectRoot(cwd), onWarning: warn, willWrite: access?.willWrite });
      for (const warning of registry.warnings) warn(warning);
      try {
        await work(registry, options);
      } finally {
        await registry.close();
      }
    },
    parseOrUsageError(command, parse) {
      try {
        return parse();
      } catch (error) {
        if (error instanceof InvalidArgumentError) command.error(error.message, { exitCode: EXIT.usage, code: 'mreg.invalidArgument' });
        throw error;
      }
    },
    warnIfUnpinned(refText, pinned, number) {
      if (pinned) return;
      const model = parseRef(refText).model;
      warn(`'${refText}' resolved to the latest version, ${model}/${number}; deployments should pin a stage, alias or number, e.g. ${model}@production or ${model}/${number}.`);
    },
  };
}
