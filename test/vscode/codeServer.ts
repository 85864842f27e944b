import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { CodeServerProgram } from './workbenchInstall';

export interface CodeServerOptions {
  workbench: CodeServerProgram;
  /** Where code-server keeps its extensions and user data for this run. */
  home: string;
  vsix: string;
  workspace: string;
  env?: NodeJS.ProcessEnv;
  /** Ask whether to trust the workspace, as a desktop VS Code does; off by default so the trust dialog stays out of the way. */
  workspaceTrust?: boolean;
}

/** A code-server on 127.0.0.1 with the packaged extension installed: the same bytes users install. */
export class CodeServer {
  private constructor(
    private readonly process: ChildProcess,
    readonly url: string,
    private readonly logLines: string[],
  ) {}

  static async start(options: CodeServerOptions & { port?: number }): Promise<CodeServer> {
    const { workbench, home } = options;
    const extensionsDir = path.join(home, 'extensions');
    const userDataDir = path.join(home, 'user-data');
    mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
    writeFileSync(
      path.join(userDataDir, 'User', 'settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'workbench.enableExperiments': false,
        'chat.disableAIFeatures': true,
        'window.title': 'Model Registry test',
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
      }),
    );
    const common = ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
    const env = { ...process.env, ...options.env, PATH: `${path.dirname(workbench.node)}${path.delimiter}${process.env.PATH ?? ''}` };
    execFileSync(workbench.codeServer, [...common, '--install-extension', options.vsix, '--force'], { env, stdio: 'pipe' });
    const port = options.port ?? (await freePort());
    const child = spawn(
      workbench.codeServer,
      ['--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', ...common, options.workspace],
      { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    const lines: string[] = [];
    const collect = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const url = `http://127.0.0.1:${port}`;
    const server = new CodeServer(child, url, lines);
    await server.waitUntilServing();
    return server;
  }

  /** What code-server printed, for failure messages. */
  get log(): string {
    return this.logLines.slice(-40).join('\n');
  }

  folderUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  async stop(): Promise<void> {
    if (this.process.exitCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    try {
      process.kill(-this.process.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-this.process.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  }

  private async waitUntilServing(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.process.exitCode !== null) throw new Error(`code-server exited with code ${this.process.exitCode}:\n${this.log}`);
      try {
        const response = await fetch(`${this.url}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await this.stop();
    throw new Error(`code-server did not answer within 60 s:\n${this.log}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
