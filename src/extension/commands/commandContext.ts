import type * as vscode from 'vscode';
import type { CommandId } from '../commandIds';
import type { RegistrySession } from '../registrySession';
import type { RegistryStatusBar } from '../registryStatusBar';
import type { RegistrySync } from '../registrySync';
import type { Settings } from '../settings';
import type { StoreCredentials } from '../storeCredentials';
import type { ModelsTreeProvider } from '../tree/modelsTreeProvider';
import type { VersionPanels } from '../webviews/versionPanels';

/** What command handlers work with; built once by the extension's composition root. */
export interface CommandContext {
  session: RegistrySession;
  settings: Settings;
  output: vscode.LogOutputChannel;
  modelsTree: ModelsTreeProvider;
  statusBar: RegistryStatusBar;
  sync: RegistrySync;
  versionPanels: VersionPanels;
  storeCredentials: StoreCredentials;
}

/** A command's implementation; its result is returned to `executeCommand` callers (tasks, tests). */
export type CommandHandler = (...args: unknown[]) => unknown;

export type CommandTable = Partial<Record<CommandId, CommandHandler>>;
