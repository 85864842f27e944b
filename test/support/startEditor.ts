import { execFileSync, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { CodeServer } from '../vscode/codeServer';
import { REPO_ROOT, ensureCodeServer } from '../vscode/workbenchInstall';
import { prepareSampleWorkspace } from './sampleWorkspace';

/**
 * `npm start`: the extension on a generated sample workspace. With a desktop VS Code (`code`) on
 * PATH it opens there with the extension loaded from this folder; otherwise it serves the
 * browser-based VS Code (code-server, installed into .vscode-test on first use) on 127.0.0.1 with
 * the packaged extension, and prints the address to open.
 */
async function main(): Promise<void> {
  const workspace = prepareSampleWorkspace();
  if (spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
    spawn('code', ['--extensionDevelopmentPath', REPO_ROOT, workspace], { stdio: 'inherit', detached: true }).unref();
    console.log(`Opened VS Code on ${workspace} with the extension from this folder.`);
    return;
  }
  console.log('No desktop VS Code (`code`) on PATH: starting the browser-based VS Code instead.');
  const program = ensureCodeServer();
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const port = Number(process.env.PORT ?? 8080);
  const server = await CodeServer.start({
    workbench: program,
    home: path.join(REPO_ROOT, '.vscode-test', 'start'),
    vsix: path.join(REPO_ROOT, 'dist', 'model-registry.vsix'),
    workspace,
    port,
  });
  console.log(`\nModel Registry is running in VS Code at:\n\n    ${server.folderUrl(workspace)}\n\nOpen it in a browser on this machine; press Ctrl+C to stop.`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
