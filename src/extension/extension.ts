import type * as vscode from 'vscode';
import { runIntegrationTestsIfAsked } from './integrationTestHook';
import { ModelRegistryExtension } from './modelRegistryExtension';

export function activate(context: vscode.ExtensionContext): ModelRegistryExtension {
  const started = performance.now();
  const extension = new ModelRegistryExtension(context);
  extension.activationMs = performance.now() - started;
  context.subscriptions.push(extension);
  runIntegrationTestsIfAsked(extension);
  return extension;
}

export function deactivate(): void {}
