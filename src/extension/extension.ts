import type * as vscode from 'vscode';
import { runIntegrationTestsIfAsked } from './integrationTestHook';
import { ModelRegistryExtension } from './modelRegistryExtension';

export function activate(context: vscode.ExtensionContext): ModelRegistryExtension {
  const extension = new ModelRegistryExtension(context);
  context.subscriptions.push(extension);
  runIntegrationTestsIfAsked(extension);
  return extension;
}

export function deactivate(): void {}
