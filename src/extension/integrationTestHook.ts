import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import type { ModelRegistryExtension } from './modelRegistryExtension';

/** What the integration-test bundle exports; it runs inside this extension host. */
interface IntegrationSuite {
  run(host: { vscode: typeof vscode; extension: ModelRegistryExtension }): Promise<unknown>;
}

/**
 * The integration tests run inside a real extension host: the test harness starts the editor with
 * MODEL_REGISTRY_TEST_BUNDLE (the compiled mocha suites) and MODEL_REGISTRY_TEST_RESULTS (where to
 * write their results). Without those variables this does nothing.
 */
export function runIntegrationTestsIfAsked(extension: ModelRegistryExtension): void {
  const bundle = process.env.MODEL_REGISTRY_TEST_BUNDLE;
  const results = process.env.MODEL_REGISTRY_TEST_RESULTS;
  if (!bundle || !results) return;
  void (async () => {
    try {
      const suite = (await import(bundle)) as IntegrationSuite;
      writeFileSync(results, JSON.stringify(await suite.run({ vscode, extension })));
    } catch (error) {
      writeFileSync(results, JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
    }
  })();
}
