import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { MREG } from './mregProcess';

export interface RunningServe {
  url: string;
  child: ChildProcess;
  /** What the server wrote on stderr so far (warnings). */
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts `mreg serve --port 0 …` in `cwd` and waits for the URL it prints; fails with its stderr if it exits first. */
export function startServe(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<RunningServe> {
  const { MREG_REGISTRY: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [MREG, 'serve', '--port', '0', ...args], { cwd: options.cwd, env: { ...env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /http:\/\/\S+?(?=\s|\)|$)/.exec(stdout)?.[0];
      if (!url) return;
      resolve({
        url,
        child,
        stderr: () => stderr,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`mreg serve exited (${code}) before printing its URL; stdout: ${stdout}\nstderr: ${stderr}`)));
  });
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body as JSON; fails with the body's text when it is not JSON. */
  json<T = Record<string, unknown>>(): T;
}

/**
 * One HTTP request with node:http, the path sent exactly as given (fetch would resolve `..`
 * segments before sending them, hiding what the server does with them).
 */
export function call(base: string, method: string, pathAndQuery: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const url = new URL(base);
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const sent = request(
      // A fresh connection each time: a kept-alive one the server closes while idle would fail the next request.
      { host: url.hostname, port: url.port, method, path: pathAndQuery, agent: false, headers: { ...(payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }), ...options.headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body,
            json<T>() {
              try {
                return JSON.parse(body.toString('utf8')) as T;
              } catch {
                throw new Error(`expected JSON from ${method} ${pathAndQuery} (${response.statusCode}): ${body.toString('utf8')}`);
              }
            },
          });
        });
      },
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}
