import { InvalidArgumentError, type Command } from 'commander';
import { followStore, type StoreFollower } from '../../serve/storeFollower';
import type { CliContext } from '../cliContext';

function parseSeconds(text: string): number {
  const seconds = Number(text);
  if (text.trim() === '' || !Number.isFinite(seconds) || seconds < 1 || seconds > 86_400) throw new InvalidArgumentError(`'${text}' is no interval: give seconds from 1 to 86400.`);
  return seconds;
}

function parsePort(text: string): number {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) throw new InvalidArgumentError(`'${text}' is no port: give a number from 0 (any free port) to 65535.`);
  return Number(text);
}

/** `mreg serve`: the registry over MLflow's REST API, until Ctrl+C or SIGTERM. */
export function addServeCommand(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description("serve the registry over MLflow's REST API (Model Registry and artifact downloads), so MLflow clients work with MLFLOW_TRACKING_URI set to the printed URL")
    .option('--host <address>', 'address to listen on; any but loopback needs --token', '127.0.0.1')
    .option('--port <number>', 'port to listen on; 0 picks a free one', parsePort, 5000)
    .option('--token <token>', 'bearer token every request must carry (clients: MLFLOW_TRACKING_TOKEN); default $MREG_SERVE_TOKEN')
    .option('--read-only', 'refuse every change (stage transitions, aliases, tags), for serving fleets')
    .option('--sync-every <seconds>', "sync with the shared store this often (pull only with --read-only), as 'mreg sync' does", parseSeconds)
    .option('--actor <name>', 'who changes are recorded as made by when a request names no one in X-Model-Registry-Actor (default: $MREG_ACTOR, git user.email, the OS user)')
    .action(async (flags: { host: string; port: number; token?: string; readOnly?: boolean; actor?: string; syncEvery?: number }, command: Command) =>
      context.withRegistry(command, async (registry, options) => {
        const token = flags.token ?? (process.env.MREG_SERVE_TOKEN || undefined);
        // Loaded here, not at start-up: node:http and the server are for this one command.
        const { startMlflowServer } = await import('../../serve/mlflowServer');
        const server = await startMlflowServer({
          registry,
          host: flags.host,
          port: flags.port,
          token,
          readOnly: flags.readOnly,
          actor: flags.actor,
          onProblem: (message) => context.warn(message),
        });
        let follower: StoreFollower | undefined;
        try {
          if (flags.syncEvery !== undefined) follower = await followStore(registry, { everyMs: flags.syncEvery * 1000, pullOnly: flags.readOnly === true, onProblem: context.warn });
        } catch (error) {
          await server.close();
          throw error;
        }
        const mode = [flags.readOnly ? 'read-only' : 'read-write', token ? 'token required' : 'no token: loopback only'].join(', ');
        context.emit(
          options,
          { url: server.url, registry: registry.folder.root, readOnly: flags.readOnly === true, token: token !== undefined },
          `Serving ${registry.folder.root} to MLflow clients at ${server.url} (${mode}); stop with Ctrl+C.\n  export MLFLOW_TRACKING_URI=${server.url}${token ? '\n  export MLFLOW_TRACKING_TOKEN=<the token>' : ''}`,
        );
        await untilStopped(context.signal);
        await follower?.stop();
        await server.close();
      }),
    );
}

/** Resolves on Ctrl+C (the CLI's abort signal) or SIGTERM (a service manager stopping the server). */
function untilStopped(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const stop = () => {
      process.off('SIGTERM', stop);
      signal.removeEventListener('abort', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    signal.addEventListener('abort', stop);
  });
}
