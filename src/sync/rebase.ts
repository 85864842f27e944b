import { ulid } from 'ulid';
import { hashEvent, MANUAL_DELETION, type RegistryEvent } from '../core/events';

/** What rebasing changed in the pending versions, for the person who registered them. */
export interface RebaseReport {
  /** Pending versions that got another number because others took theirs first. */
  renumbered: { model: string; from: number; to: number }[];
  /** Pending versions someone else registered first (same artifacts and lineage): the shared one is kept. */
  merged: { model: string; from: number; to: number }[];
  /** Semver labels that someone else gave another version of the same model first. */
  droppedSemver: { model: string; number: number; semver: string }[];
  /**
   * Pending changes that no longer apply: to a version or model deleted elsewhere meanwhile, a gc's
   * deletion of a version that others promoted, aliased or deleted first (it stays, or is gone already),
   * a person's deletion of a version others moved to Production, or of a model that got new versions.
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
  const lines = withoutPushedAlready(pending, pulled);
  const rebaser = new Rebaser(readSharedLog(pulled), lines);
  const rebased = lines.map((line) => line.flatMap((event) => rebaser.rebase(event))).filter((line) => line.length > 0);
  return { lines: sealOnto(rebased, head), report: rebaser.report };
}

/** What the pulled events say that pending events must give way to. */
interface SharedFacts {
  created: Set<string>;
  /** The highest version number of each model in the shared log. */
  highest: Map<string, number>;
  /** `model\0fingerprint` → the shared version with that content. */
  byFingerprint: Map<string, number>;
  /** `model\0semver` labels the shared log has given out. */
  semvers: Set<string>;
  /** Which version of each model the shared log left in Production. */
  production: Map<string, number>;
  /** `model/number` of versions deleted in the shared log (→ the rule that deleted them): pending changes to them no longer apply. */
  deletedElsewhere: Map<string, string>;
  /** `model/number` → why a pending retention deletion of it no longer applies (promoted or aliased elsewhere). */
  keptElsewhere: Map<string, string>;
  /** `model/number` of versions moved into Production in the shared log: a pending deletion by a person no longer applies. */
  productionElsewhere: Set<string>;
  /** Models deleted in the shared log: pending changes to them no longer apply. */
  deletedModels: Set<string>;
  /** Models that got new versions in the shared log: a pending deletion of the whole model no longer applies. */
  registeredIn: Set<string>;
}

/** Phase 1: events the shared log already holds (a push whose acknowledgement was lost) are dropped. */
function withoutPushedAlready(pending: readonly RegistryEvent[][], pulled: readonly RegistryEvent[]): RegistryEvent[][] {
  const pulledIds = new Set(pulled.map((event) => event.id));
  return pending.map((line) => line.filter((event) => !pulledIds.has(event.id))).filter((line) => line.length > 0);
}

/** Phase 2: read the pulled events once for the facts the pending ones must respect. */
function readSharedLog(pulled: readonly RegistryEvent[]): SharedFacts {
  const facts: SharedFacts = {
    created: new Set(),
    highest: new Map(),
    byFingerprint: new Map(),
    semvers: new Set(),
    production: new Map(),
    deletedElsewhere: new Map(),
    keptElsewhere: new Map(),
    productionElsewhere: new Set(),
    deletedModels: new Set(),
    registeredIn: new Set(),
  };
  for (const event of pulled) {
    const key = `${event.model}/${String(event.version)}`;
    // Tombstones travel like every other event: what the shared log deleted or protected wins over pending changes.
    if (event.type === 'version.deleted') facts.deletedElsewhere.set(key, event.payload.rule);
    if (event.type === 'model.deleted') facts.deletedModels.add(event.model);
    if (event.type === 'version.stage_changed' && event.payload.to === 'Production') facts.productionElsewhere.add(key);
    if (event.type === 'version.alias_set') facts.keptElsewhere.set(key, `it was given the alias '${event.payload.alias}' elsewhere`);
    if (event.type === 'version.stage_changed' && (event.payload.to === 'Staging' || event.payload.to === 'Production')) facts.keptElsewhere.set(key, `it was moved to ${event.payload.to} elsewhere`);
    if (event.type === 'model.created') facts.created.add(event.model);
    if (event.type === 'version.registered' && event.version !== undefined) {
      facts.highest.set(event.model, Math.max(facts.highest.get(event.model) ?? 0, event.version));
      facts.registeredIn.add(event.model);
      facts.byFingerprint.set(`${event.model}\0${event.payload.fingerprint}`, event.version);
      if (event.payload.semver) facts.semvers.add(`${event.model}\0${event.payload.semver}`);
    }
    trackProduction(facts.production, event);
  }
  return facts;
}

/** Phase 3: each pending event in order, renumbered, merged, adapted or dropped; the report says which. */
class Rebaser {
  readonly report: RebaseReport = { renumbered: [], merged: [], droppedSemver: [], dropped: [] };
  /** The next free number of each model: pending numbers move up past the pulled ones. */
  private readonly next = new Map<string, number>();
  /** `model/old number` → the number a pending version got. */
  private readonly numbers = new Map<string, number>();

  constructor(
    private readonly facts: SharedFacts,
    lines: readonly RegistryEvent[][],
  ) {
    // Pending numbers were handed out after the last confirmed one.
    for (const event of lines.flat()) {
      if (event.type !== 'version.registered' || event.version === undefined) continue;
      const start = Math.max((facts.highest.get(event.model) ?? 0) + 1, event.version);
      this.next.set(event.model, Math.min(this.next.get(event.model) ?? Infinity, start));
    }
  }

  /** Models with a pending version deletion that no longer applies: their pending model deletion cannot apply either. */
  private readonly keptModels = new Set<string>();

  /** What one pending event becomes on top of the shared log: nothing, itself moved, or an archive then itself. */
  rebase(event: RegistryEvent): RegistryEvent[] {
    const dropped = this.droppedForDeletion(event);
    if (dropped) {
      this.report.dropped!.push({ model: event.model, number: this.renumber(event.model, event.version) ?? 0, type: event.type, why: dropped });
      if (event.type === 'version.deleted') this.keptModels.add(event.model);
      return [];
    }
    if (event.type === 'model.created') return this.rebaseModelCreation(event);
    if (event.type === 'version.registered' && event.version !== undefined) return this.rebaseRegistration(event);
    return this.rebaseChange(event);
  }

  /** Why a pending event no longer applies because of a deletion (its model's, or one the shared log refuses now), or undefined. */
  private droppedForDeletion(event: RegistryEvent): string | undefined {
    const { facts } = this;
    // Its name stays taken: a registration made here meanwhile is reported, not pushed (its files stay in the local blob store).
    if (facts.deletedModels.has(event.model)) return `the model '${event.model}' was deleted elsewhere`;
    if (event.type === 'model.deleted' && (facts.registeredIn.has(event.model) || this.keptModels.has(event.model))) {
      return `the model '${event.model}' got versions elsewhere meanwhile (or one of its deletions no longer applies), so it stays`;
    }
    if (event.type === 'version.deleted' && event.payload.rule === MANUAL_DELETION) {
      const key = `${event.model}/${String(this.renumber(event.model, event.version))}`;
      if (facts.productionElsewhere.has(key)) return 'it was moved to Production elsewhere, so it stays';
    }
    return undefined;
  }

  /** A model someone else created first: only its description and tags are kept, as an update. */
  private rebaseModelCreation(event: Extract<RegistryEvent, { type: 'model.created' }>): RegistryEvent[] {
    if (!this.facts.created.has(event.model)) return [event];
    if (event.payload.description === undefined && event.payload.tags === undefined) return [];
    return [{ ...event, type: 'model.updated', payload: { description: event.payload.description, tags: event.payload.tags } } as RegistryEvent];
  }

  /** The same content registered elsewhere merges into it; otherwise the version takes the next free number. */
  private rebaseRegistration(event: Extract<RegistryEvent, { type: 'version.registered' }>): RegistryEvent[] {
    const from = event.version!;
    const twin = this.facts.byFingerprint.get(`${event.model}\0${event.payload.fingerprint}`);
    if (twin !== undefined) {
      this.numbers.set(`${event.model}/${from}`, twin);
      this.report.merged.push({ model: event.model, from, to: twin });
      return [];
    }
    const number = this.next.get(event.model)!;
    this.next.set(event.model, number + 1);
    this.numbers.set(`${event.model}/${from}`, number);
    if (number !== from) this.report.renumbered.push({ model: event.model, from, to: number });
    let payload = event.payload;
    if (payload.semver && this.facts.semvers.has(`${event.model}\0${payload.semver}`)) {
      this.report.droppedSemver.push({ model: event.model, number, semver: payload.semver });
      payload = { ...payload, semver: undefined };
    }
    return [{ ...event, version: number, payload }];
  }

  /** Any other change follows its version's new number; into Production it still archives whatever the shared log left there. */
  private rebaseChange(event: RegistryEvent): RegistryEvent[] {
    const { facts } = this;
    const moved = { ...event, version: this.renumber(event.model, event.version) } as RegistryEvent;
    const key = `${moved.model}/${String(moved.version)}`;
    const retentionKept = moved.type === 'version.deleted' && moved.payload.rule !== MANUAL_DELETION && facts.keptElsewhere.has(key);
    if (moved.version !== undefined && (facts.deletedElsewhere.has(key) || retentionKept)) {
      const rule = facts.deletedElsewhere.get(key);
      const why = rule === undefined ? `${facts.keptElsewhere.get(key)!}, so retention keeps it` : `the version was deleted elsewhere${rule === MANUAL_DELETION ? '' : ' (retention)'}`;
      this.report.dropped!.push({ model: moved.model, number: moved.version, type: moved.type, why });
      if (moved.type === 'version.deleted' && rule === undefined) this.keptModels.add(moved.model);
      return [];
    }
    const out: RegistryEvent[] = [];
    if (moved.type === 'version.stage_changed') {
      if (moved.payload.supersededBy !== undefined) moved.payload = { ...moved.payload, supersededBy: this.renumber(moved.model, moved.payload.supersededBy) };
      const current = facts.production.get(moved.model);
      if (moved.payload.to === 'Production' && current !== undefined && current !== moved.version) {
        const archive = {
          ...moved,
          id: ulid(Date.parse(moved.time)),
          version: current,
          payload: { from: 'Production', to: 'Archived', supersededBy: moved.version },
          reason: `superseded by ${moved.model}/${String(moved.version)}`,
        } as RegistryEvent;
        trackProduction(facts.production, archive);
        out.push(archive);
      }
    }
    trackProduction(facts.production, moved);
    out.push(moved);
    return out;
  }

  private renumber(model: string, version: number | undefined): number | undefined {
    return version === undefined ? undefined : (this.numbers.get(`${model}/${version}`) ?? version);
  }
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
