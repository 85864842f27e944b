import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type * as vscodeApi from 'vscode';
import type { ModelRegistryExtension } from '../../../src/extension/modelRegistryExtension';

/**
 * The extension host's `vscode` API and the running extension, handed to the suites by the
 * extension's integration-test hook (this bundle lives outside the extension, so it does not
 * `require('vscode')` itself).
 */
export const host = {} as { vscode: typeof vscodeApi; extension: ModelRegistryExtension };

/** Polls until the check passes: the registry and the workbench update asynchronously. */
export async function eventually<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: still failing after ${timeoutMs} ms: ${(lastError as Error)?.message ?? lastError}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** mreg in a terminal, as another person (the registrant may not approve their own version). */
export function mregAs(actor: string, args: string[]): string {
  const cli = process.env.MODEL_REGISTRY_TEST_CLI;
  assert.ok(cli, 'MODEL_REGISTRY_TEST_CLI names the built mreg');
  const cwd = host.vscode.workspace.workspaceFolders![0].uri.fsPath;
  return execFileSync(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MREG_ACTOR: actor }, encoding: 'utf8' });
}
