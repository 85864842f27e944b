import type { ChildProcess } from 'node:child_process';
import { loadChildProcess } from '../core/lazyModules';
import { createHmac } from 'node:crypto';
import type { RegistryEvent } from '../core/events';
import { matchesModel, type Webhook } from '../core/governance/policy';
import type { CommandApproval } from './governance/policyTrust';

export const WEBHOOK_EVENTS = ['version.registered', 'version.stage_changed', 'version.alias_set'] as const;
const DEFAULT_TIMEOUT_MS = 10_000;

/** What a webhook receives: the event without the chain fields, and without the whole manifest. */
export function webhookPayload(event: RegistryEvent): Record<string, unknown> {
  const payload = event.type === 'version.registered' ? { ...event.payload, manifest: undefined } : event.payload;
  return { event: event.type, seq: event.seq, id: event.id, time: event.time, actor: event.actor, model: event.model, version: event.version ?? null, reason: event.reason ?? null, details: payload };
}

/**
 * Sends each matching event to each hook, one at a time per hook. Never throws: a failure (a hook
 * that exits non-zero, times out, or a server that answers other than 2xx) goes to `warn`.
 * Command hooks run only when `commands` allows them (policyCommandApproval for hooks read from a
 * repository's policy.yaml); when it does not, `warn` says once why and what to run. HTTP hooks
 * are unaffected.
 */
export async function deliverWebhooks(hooks: readonly Webhook[], events: readonly RegistryEvent[], warn: (message: string) => void, commands: CommandApproval = { allowed: true }): Promise<void> {
  if (!commands.allowed && hooks.some((hook) => hook.command && events.some((event) => wants(hook, event)))) warn(commands.reason);
  await Promise.all(
    hooks.map(async (hook) => {
      if (hook.command && !commands.allowed) return;
      for (const event of events) {
        if (!wants(hook, event)) continue;
        const body = JSON.stringify(webhookPayload(event));
        const target = hook.url ?? hook.command?.[0] ?? '?';
        try {
          if (hook.url) await post(hook, hook.url, body);
          else if (hook.command) await run(hook, hook.command, body);
        } catch (error) {
          warn(`webhook ${target} failed for ${event.type} of ${event.model}${event.version ? `/${event.version}` : ''}: ${(error as Error).message}`);
        }
      }
    }),
  );
}

function wants(hook: Webhook, event: RegistryEvent): boolean {
  const kinds: readonly string[] = hook.events ?? WEBHOOK_EVENTS;
  return kinds.includes(event.type) && matchesModel(hook.models, event.model);
}

async function post(hook: Webhook, url: string, body: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'model-registry-webhook' };
  if (hook.secretEnv) {
    const secret = process.env[hook.secretEnv];
    if (!secret) throw new Error(`its secret variable ${hook.secretEnv} is not set; nothing was sent`);
    headers['x-modelregistry-signature'] = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(hook.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`the server answered ${response.status} ${response.statusText}`);
}

/**
 * Runs the program directly (no shell), so registry values never become shell text; the payload goes
 * to stdin. The program leads a process group of its own, and the whole group is killed at the
 * timeout and once the program exits: a child it started (a `sleep`, a retrying `curl`) would
 * otherwise outlive the timeout and hold its output pipe open, keeping the registration waiting.
 */
function run(hook: Webhook, command: string[], body: string): Promise<void> {
  const timeoutMs = hook.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = loadChildProcess().spawn(command[0], command.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], detached: process.platform !== 'win32' });
    let stderr = '';
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killProcessTree(child);
    }, timeoutMs);
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)));
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // What the program left running goes with it, so its pipe closes and 'close' follows.
      killProcessTree(child);
    });
    child.on('close', () => {
      clearTimeout(timer);
      const { code, signal } = exit ?? { code: null, signal: null };
      if (timedOut) reject(new Error(`it was stopped after the timeout of ${timeoutMs} ms, with every process it started`));
      else if (code === 0) resolve();
      else reject(new Error(signal ? `it was stopped by ${signal}` : `it exited with ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`));
    });
    child.stdin.end(body);
  });
}

/** Kills the program's whole process group (on Windows its process tree); gone already is fine. */
function killProcessTree(child: ChildProcess): void {
  if (child.pid === undefined) return;
  if (process.platform === 'win32') {
    loadChildProcess().spawn('taskkill', ['/pid', String(child.pid), '/t', '/f'], { stdio: 'ignore' }).on('error', () => child.kill('SIGKILL'));
    return;
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group has no process left.
  }
}
