import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from '../registry/registry';
import { actorOf, assertAuthorized, assertBindAllowed } from './accessControl';
import { ArtifactEndpoints } from './artifactEndpoints';
import { MlflowError, mlflowErrorOf } from './mlflowErrors';
import { MlflowParameters, readBody } from './mlflowRequest';
import { MlflowView } from './mlflowView';
import { REGISTRY_ENDPOINTS, type RegistryEndpoint } from './registryEndpoints';

export interface MlflowServerOptions {
  registry: Registry;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Bearer token every request must carry; required to listen beyond loopback. */
  token?: string;
  /** Refuse every write (stage changes, aliases, tags) with PERMISSION_DENIED. */
  readOnly?: boolean;
  /** Who writes are recorded as made by when a request names no actor; default: the registry's own identity. */
  actor?: string;
  /** Called with each request that failed on a defect or a damaged blob, for the server's log. */
  onProblem?: (message: string) => void;
}

export interface RunningMlflowServer {
  /** `http://host:port`: what clients set MLFLOW_TRACKING_URI to. */
  url: string;
  close(): Promise<void>;
}

const REGISTRY_PREFIX = '/api/2.0/mlflow/';
const ARTIFACTS_PATH = '/api/2.0/mlflow-artifacts/artifacts';

/**
 * An HTTP server speaking MLflow's REST API 2.0 for the Model Registry and the read side of its
 * artifact proxy, over one open registry. Each request is authorized, routed, and answered in
 * MLflow's JSON shapes; every change goes through the Registry facade, so the policy's gates,
 * the audit log and the one-Production rule hold exactly as for `mreg` and the extension.
 */
export async function startMlflowServer(options: MlflowServerOptions): Promise<RunningMlflowServer> {
  assertBindAllowed(options.host, options.token);
  const view = new MlflowView(options.registry);
  const artifacts = new ArtifactEndpoints(view);
  const server = createServer((request, response) => {
    void answer(request, response, options, view, artifacts);
  });
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host.replace(/^\[|\]$/g, ''), () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function answer(request: IncomingMessage, response: ServerResponse, options: MlflowServerOptions, view: MlflowView, artifacts: ArtifactEndpoints): Promise<void> {
  try {
    assertAuthorized(request.headers, options.token);
    // The path as sent: WHATWG URL parsing would resolve '..' segments before the artifact paths are checked.
    const [pathname, query = ''] = (request.url ?? '/').split(/\?(.*)/s, 2);
    const searchParams = new URLSearchParams(query);
    const method = request.method ?? 'GET';
    if (pathname === '/health' && method === 'GET') return sendText(response, 200, 'OK');
    if (pathname === ARTIFACTS_PATH || pathname.startsWith(`${ARTIFACTS_PATH}/`)) {
      if (method !== 'GET') throw new MlflowError('NOT_IMPLEMENTED', "Artifacts here are the registered versions' own, immutable: they are registered with mreg register, not uploaded or deleted through the artifact API.");
      if (pathname === ARTIFACTS_PATH) return sendJson(response, 200, artifacts.list(searchParams.get('path') ?? ''));
      return await artifacts.download(decodePath(pathname.slice(ARTIFACTS_PATH.length + 1)), response);
    }
    const endpoint = routeOf(method, pathname);
    const params = method === 'GET' ? MlflowParameters.fromQuery(searchParams) : MlflowParameters.fromJson(await readBody(request));
    sendJson(response, 200, await run(endpoint, params, request, options, view));
  } catch (error) {
    // A client that hung up during a download is no failure of the server.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE') return;
    const failure = mlflowErrorOf(error);
    if (failure.errorCode === 'INTERNAL_ERROR' || failure.errorCode === 'DATA_LOSS') options.onProblem?.(`${request.method} ${request.url}: ${failure.message}`);
    // A download that failed after its headers went out can only be cut short.
    if (response.headersSent) response.destroy();
    else sendJson(response, failure.status, failure.toJson(), failure.errorCode === 'UNAUTHENTICATED' ? { 'WWW-Authenticate': 'Bearer' } : {});
  }
}

function routeOf(method: string, pathname: string): RegistryEndpoint {
  const path = pathname.startsWith(REGISTRY_PREFIX) ? pathname.slice(REGISTRY_PREFIX.length) : undefined;
  const forPath = REGISTRY_ENDPOINTS.filter((endpoint) => endpoint.path === path);
  const endpoint = forPath.find((candidate) => candidate.method === method);
  if (endpoint) return endpoint;
  if (forPath.length > 0) throw new MlflowError('ENDPOINT_NOT_FOUND', `${pathname} answers ${forPath.map((candidate) => candidate.method).join(' and ')}, not ${method}.`, 405);
  throw new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint ${method} ${pathname} here: this server speaks MLflow's Model Registry API (${REGISTRY_PREFIX}registered-models/…, ${REGISTRY_PREFIX}model-versions/…) and the artifact download API (${ARTIFACTS_PATH}).`);
}

async function run(endpoint: RegistryEndpoint, params: MlflowParameters, request: IncomingMessage, options: MlflowServerOptions, view: MlflowView): Promise<unknown> {
  if (!endpoint.writes) return endpoint.handle(params, view);
  if (options.readOnly) throw new MlflowError('PERMISSION_DENIED', `This registry server is read-only (started with --read-only): ${endpoint.method} ${REGISTRY_PREFIX}${endpoint.path} changes the registry. Make the change with mreg on the registry, or through a server started without --read-only.`);
  // A damaged op log makes the registry read-only until 'mreg repair': a refusal, not a fault a client should retry.
  const damage = view.registry.damage;
  if (damage) throw new MlflowError('PERMISSION_DENIED', `${damage.message} Nothing was changed.`);
  const actor = actorOf(request.headers) ?? options.actor;
  return actor ? view.registry.actingAs(actor, async () => endpoint.handle(params, view)) : endpoint.handle(params, view);
}

/** The artifact path of a download URL, decoded once (as MLflow's server reads its route). */
function decodePath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid artifact path '${encoded}': it is not valid percent-encoding.`);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}
