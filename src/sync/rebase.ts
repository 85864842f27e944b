import { ulid } from 'ulid';
import { hashEvent, type RegistryEvent } from '../core/events';

/** What rebasing changed in the pending versions, for the person who registered them. */
export interface RebaseReport {
  /** Pending versions that got another number because others took theirs first. */
  renumbered: { model: string; from: number; to: number }[];
  /** Pending versions someone else registered first (same artifacts and lineage): the shared one is kept. */
  merged: { model: string; from: number; to: number }[];
  /** Semver labels that someone else gave another version of the same model first. */
  droppedSemver: { model: string; number: number; semver: string }[];
  /**
   * Pending changes that no longer apply: to a version gc deleted elsewhere meanwhile, or a gc's
   * deletion of a version that others promoted, aliased or deleted first (it stays, or is gone already).
   */
  dropped?: { model: string; number: number; type: RegistryEvent['type']; why: string }[];
}

/**
 * Puts pending local mutations (op-log lines not yet in the shared log) on top of the events just
 * pulled from the shared log, as if they had been made after them. Pending versions are renumbered
 * after the shared ones, references to them follow, a promotion to Production still archives
 * whichever version the shared log left in Production, and each event keeps its id, time and
 * actor. Events the shared log already holds (a push whose acknowledgement was lost) are dropped.
 * The result is sealed onto `head`, the last pulled event.
 */
export function rebasePending(
  pending: readonly RegistryEvent[][],
  pulled: readonly RegistryEvent[],
  head: { seq: number; hash: string },
): { lines: RegistryEvent[][]; report: RebaseReport } {
  const report: RebaseReport = { renumbered: [], merged: [], droppedSemver: [], dropped: [] };
  const pulledIds = new Set(pulled.map((event) => event.id));
  const lines = pending.map((line) => line.filter((event) => !pulledIds.has(event.id))).filter((line) => line.length > 0);

  const created = new Set<string>();
  const highest = new Map<string, number>();
  const byFingerprint = new Map<string, number>();
  const semvers = new Set<string>();
  const production = new Map<string, number>();
  // Tombstones travel like every other event: what the shared log deleted or protected wins over pending changes.
  const deletedElsewhere = new Set<string>();
  const keptElsewhere = new Map<string, string>();
  for (const event of pulled) {
    const key = `${event.model}/${String(event.version)}`;
    if (event.type === 'version.deleted') deletedElsewhere.add(key);
    if (event.type === 'version.alias_set') keptElsewhere.set(key, `it was given the alias '${event.payload.alias}' elsewhere`);
    if (event.type === 'version.stage_changed' && (event.payload.to === 'Staging' || event.payload.to === 'Production')) keptElsewhere.set(key, `it was moved to ${event.payload.to} elsewhere`);
    if (event.type === 'model.created') created.add(event.model);
    if (event.type === 'version.registered' && event.version !== undefined) {
      highest.set(event.model, Math.max(highest.get(event.model) ?? 0, event.version));
      byFingerprint.set(`${event.model}\0${event.payload.fingerprint}`, event.version);
      if (event.payload.semver) semvers.add(`${event.model}\0${event.payload.semver}`);
    }
    trackProduction(production, event);
  }

  // Pending numbers were handed out after the last confirmed one; they move up past the pulled ones.
  const next = new Map<string, number>();
  for (const line of lines) {
    for (const event of line) {
      if (event.type !== 'version.registered' || event.version === undefined) continue;
      const start = Math.max((highest.get(event.model) ?? 0) + 1, event.version);
      next.set(event.model, Math.min(next.get(event.model) ?? Infinity, start));
    }
  }
  const numbers = new Map<string, number>();
  const renumber = (model: string, version: number | undefined): number | undefined =>
    version === undefined ? undefined : (numbers.get(`${model}/${version}`) ?? version);

  const rebased: RegistryEvent[][] = [];
  for (const line of lines) {
    const out: RegistryEvent[] = [];
    for (const event of line) {
      if (event.type === 'model.created') {
        if (!created.has(event.model)) out.push(event);
        else if (event.payload.description !== undefined || event.payload.tags !== undefined) {
          out.push({ ...event, type: 'model.updated', payload: { description: event.payload.description, tags: event.payload.tags } } as RegistryEvent);
        }
        continue;
      }
      if (event.type === 'version.registered' && event.version !== undefined) {
        const twin = byFingerprint.get(`${event.model}\0${event.payload.fingerprint}`);
        if (twin !== undefined) {
          numbers.set(`${event.model}/${event.version}`, twin);
          report.merged.push({ model: event.model, from: event.version, to: twin });
          continue;
        }
        const number = next.get(event.model)!;
        next.set(event.model, number + 1);
        numbers.set(`${event.model}/${event.version}`, number);
        if (number !== event.version) report.renumbered.push({ model: event.model, from: event.version, to: number });
        let payload = event.payload;
        if (payload.semver && semvers.has(`${event.model}\0${payload.semver}`)) {
          report.droppedSemver.push({ model: event.model, number, semver: payload.semver });
          payload = { ...payload, semver: undefined };
        }
        out.push({ ...event, version: number, payload });
        continue;
      }
      const moved = { ...event, version: renumber(event.model, event.version) } as RegistryEvent;
      const key = `${moved.model}/${String(moved.version)}`;
      if (moved.version !== undefined && (deletedElsewhere.has(key) || (moved.type === 'version.deleted' && keptElsewhere.has(key)))) {
        const why = deletedElsewhere.has(key) ? 'the version was deleted elsewhere (retention)' : `${keptElsewhere.get(key)!}, so retention keeps it`;
        report.dropped!.push({ model: moved.model, number: moved.version, type: moved.type, why });
        continue;
      }
      if (moved.type === 'version.stage_changed') {
        if (moved.payload.supersededBy !== undefined) moved.payload = { ...moved.payload, supersededBy: renumber(moved.model, moved.payload.supersededBy) };
        const current = production.get(moved.model);
        if (moved.payload.to === 'Production' && current !== undefined && current !== moved.version) {
          const archive = {
            ...moved,
            id: ulid(Date.parse(moved.time)),
            version: current,
            payload: { from: 'Production', to: 'Archived', supersededBy: moved.version },
            reason: `superseded by ${moved.model}/${String(moved.version)}`,
          } as RegistryEvent;
          trackProduction(production, archive);
          out.push(archive);
        }
      }
      trackProduction(production, moved);
      out.push(moved);
    }
    if (out.length > 0) rebased.push(out);
  }
  return { lines: sealOnto(rebased, head), report };
}

/** Which version of each model is in Production, following stage changes. */
function trackProduction(production: Map<string, number>, event: RegistryEvent): void {
  if (event.type !== 'version.stage_changed' || event.version === undefined) return;
  if (event.payload.to === 'Production') production.set(event.model, event.version);
  else if (production.get(event.model) === event.version) production.delete(event.model);
}

/** New places in the chain for events that keep everything else (id, time, actor, reason). */
function sealOnto(lines: RegistryEvent[][], head: { seq: number; hash: string }): RegistryEvent[][] {
  let { seq, hash } = head;
  return lines.map((line) =>
    line.map((event) => {
      const { hash: _old, ...rest } = event;
      seq += 1;
      const unsealed = { ...rest, seq, prev: hash } as Omit<RegistryEvent, 'hash'>;
      hash = hashEvent(unsealed);
      return { ...unsealed, hash } as RegistryEvent;
    }),
  );
}
