import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import { RegistryError } from '../core/registryError';
import { MlflowError } from './mlflowErrors';

/** A token short enough to guess is no protection; 16 characters is the least a random one has. */
const MIN_TOKEN_LENGTH = 16;

/** Whether `host` can only be reached from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare.toLowerCase() === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/**
 * Who may talk to the server. On loopback, whoever is logged in on this machine (as with the CLI);
 * on any other address, only callers presenting the bearer token, so the server refuses to listen
 * there without one.
 */
export function assertBindAllowed(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new RegistryError('INVALID_INPUT', `The token is ${token.length} characters long; use at least ${MIN_TOKEN_LENGTH} random ones (for instance: openssl rand -hex 32).`);
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new RegistryError(
      'INVALID_INPUT',
      `Refusing to listen on ${host} without a token: anyone who can reach that address could read and change the registry. Give --token (or $MREG_SERVE_TOKEN) and set MLFLOW_TRACKING_TOKEN to it in the clients, or listen on 127.0.0.1.`,
    );
  }
}

/**
 * Checks `Authorization: Bearer <token>` (what MLflow clients send when MLFLOW_TRACKING_TOKEN is
 * set) on a request. Both sides are hashed first so the comparison takes the same time whatever
 * the length or content of a wrong guess.
 */
export function assertAuthorized(headers: IncomingHttpHeaders, token: string | undefined): void {
  if (token === undefined) return;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  const given = createHash('sha256').update(match?.[1] ?? '').digest();
  const expected = createHash('sha256').update(token).digest();
  if (!match || !timingSafeEqual(given, expected)) {
    throw new MlflowError('UNAUTHENTICATED', "This registry server needs a token: send 'Authorization: Bearer <token>' (MLflow clients do when MLFLOW_TRACKING_TOKEN is set).");
  }
}

/** The header a caller names itself in; its changes are recorded as made by that name. */
export const ACTOR_HEADER = 'x-model-registry-actor';

/** The caller's name from ACTOR_HEADER, else undefined (the server's own identity acts). */
export function actorOf(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers[ACTOR_HEADER];
  if (raw === undefined) return undefined;
  const actor = (Array.isArray(raw) ? raw[0] : raw).trim();
  if (actor.length === 0 || actor.length > 200 || /[\p{Cc}]/u.test(actor)) {
    throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid ${ACTOR_HEADER} header: name the caller in 1 to 200 printable characters, e.g. ci@example.com.`);
  }
  return actor;
}
