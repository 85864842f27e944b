import type { Command } from 'commander';
import type { Registry } from '../../core/registry';

/** What main.ts lends the command groups in this folder: opening the registry and printing text or JSON. */
export interface CommandHelpers<Options extends { json?: boolean }> {
  withRegistry(command: Command, work: (registry: Registry, options: Options) => Promise<void>): Promise<void>;
  emit(options: Options, json: unknown, text: string): void;
}
