import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Who acts for the work running in this async context, when that is not the registry's own
 * identity: a server over one open registry records each request's caller (`mreg serve` takes it
 * from a header). AsyncLocalStorage follows the work through every await, so two requests in
 * flight at once each record their own actor, and nothing outside the work sees it.
 */
const actingActor = new AsyncLocalStorage<string>();

export function runActingAs<T>(actor: string, work: () => Promise<T>): Promise<T> {
  return actingActor.run(actor, work);
}

/** The actor `runActingAs` set for the current work; undefined outside it. */
export function currentActingActor(): string | undefined {
  return actingActor.getStore();
}
