import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { CACHE_DIR, REPO_ROOT } from './workbenchInstall';

/** The VSIX users install: what the real-workbench tests install into code-server. */
export const VSIX = path.join(REPO_ROOT, 'dist', 'model-registry.vsix');
/** The mocha suites that run inside the extension host, switched on by an environment variable. */
export const INTEGRATION_BUNDLE = path.join(CACHE_DIR, 'integration-tests.js');

let prepared: Promise<void> | undefined;

/** Packages the extension and bundles the in-host suites, once per test run whichever file asks first. */
export function preparePackagedExtension(): Promise<void> {
  prepared ??= (async () => {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    const size = readFileSync(VSIX).length;
    assert.ok(size < 5 * 1024 * 1024, `the VSIX is ${size} bytes; it must stay under 5 MB`);
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'integration', 'index.ts')],
      outfile: INTEGRATION_BUNDLE,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      // Loaded from the repository's node_modules: s3rver brings its own web framework along.
      external: ['vscode', 'mocha', 's3rver'],
      logLevel: 'warning',
    });
  })();
  return prepared;
}
