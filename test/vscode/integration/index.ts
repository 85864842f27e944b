import * as mochaModule from 'mocha';
import { host } from './host';

// mocha is an ES module: required from CommonJS its class is a named export.
const Mocha = (mochaModule as unknown as { Mocha: typeof import('mocha') }).Mocha;

export interface IntegrationResults {
  passed: string[];
  failed: { title: string; error: string }[];
}

/** Called by the extension's integration-test hook inside the extension host. */
export async function run(context: typeof host): Promise<IntegrationResults> {
  Object.assign(host, context);
  // MODEL_REGISTRY_TEST_GREP runs only the suites and tests whose titles match (one flaky test, say).
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, grep: process.env.MODEL_REGISTRY_TEST_GREP || undefined });
  // The suites are bundled with this file; loading them after 'pre-require' gives them describe/it.
  mocha.suite.emit('pre-require', globalThis, 'integration', mocha);
  await import('./views.suite');
  await import('./commands.suite');
  await import('./decorations.suite');
  await import('./externalChanges.suite');
  await import('./sync.suite');
  await import('./approvals.suite');
  await import('./governance.suite');
  const results: IntegrationResults = { passed: [], failed: [] };
  await new Promise<void>((resolve) => {
    const runner = mocha.run(() => resolve());
    runner.on('pass', (test) => results.passed.push(test.fullTitle()));
    runner.on('fail', (test, error: Error) => results.failed.push({ title: test.fullTitle(), error: error.stack ?? error.message }));
  });
  return results;
}
