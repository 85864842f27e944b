import type { RegistryEvent } from '../core/events';
import { eventShapeProblem } from '../core/eventSchema';
import { deletionProblem } from '../core/governance/deletionRules';
import { rulesFor, type Policy } from '../core/governance/policy';
import { ruleChecks } from '../core/governance/promotionGates';
import { fingerprintOf } from '../core/manifest';
import { aliasNameProblem, assertKey, modelNameProblem } from '../core/names';
import type { Stage } from '../core/stage';
import validSemver from 'semver/functions/valid';
import { formatRef } from '../core/refs';

/** What the shared log says about one model, as far as the rules for new events need it. */
interface ModelState {
  /** The lowest number a new version may take: numbers are never given twice, not even after a deletion. */
  next: number;
  versions: Record<string, { stage: Stage; wasProduction?: true; semver?: string }>;
  aliases: Record<string, number>;
  /** A model.deleted event removed it: no later event may name it. */
  deleted?: true;
}

export interface SharedLogStateData {
  models: Record<string, ModelState>;
  requests: Record<string, { model: string; version: number; stage: Stage }>;
}

/**
 * The state of the shared log that the domain rules of the registry are checked against: which
 * models and versions exist, their stages, aliases, semver labels and approval requests. Every
 * pulled event must keep the rules a local write keeps (names, stages, aliases, one Production per
 * model, gates on guarded promotions, references to what exists, the shape of every field), since
 * anyone who can write to the store can append a well-chained batch.
 */
export class SharedLogState {
  private constructor(private readonly data: SharedLogStateData) {}

  static empty(): SharedLogState {
    return new SharedLogState({ models: {}, requests: {} });
  }

  static fromJSON(data: SharedLogStateData): SharedLogState {
    return new SharedLogState(data);
  }

  toJSON(): SharedLogStateData {
    return this.data;
  }

  /** What rule `event` breaks, or undefined after applying it. Nothing changes when it breaks one. */
  admit(event: unknown, policy: Policy): string | undefined {
    const problem = eventShapeProblem(event) ?? this.ruleProblem(event as RegistryEvent, policy);
    if (problem) return problem;
    this.apply(event as RegistryEvent);
    return undefined;
  }

  /** Admits a batch's events in order; the first that breaks a rule stops it, with why. */
  admitBatch(events: readonly unknown[], policy: Policy): { event: unknown; problem: string } | undefined {
    for (const event of events) {
      const problem = this.admit(event, policy);
      if (problem) return { event, problem };
    }
    return undefined;
  }

  /** Applies an event already known to be valid (this client's own, or replayed from its log). */
  apply(event: RegistryEvent): void {
    const model = this.data.models[event.model];
    const version = event.version === undefined ? undefined : model?.versions[event.version];
    switch (event.type) {
      case 'model.created':
        this.data.models[event.model] = { next: 1, versions: {}, aliases: {} };
        break;
      case 'version.registered':
        if (!model || event.version === undefined) return;
        model.versions[event.version] = { stage: event.payload.stage, ...(event.payload.stage === 'Production' ? { wasProduction: true as const } : {}), ...(event.payload.semver ? { semver: event.payload.semver } : {}) };
        model.next = Math.max(model.next, event.version + 1);
        break;
      case 'version.stage_changed':
        if (!version) return;
        version.stage = event.payload.to;
        if (event.payload.to === 'Production') version.wasProduction = true;
        break;
      case 'version.alias_set':
        if (model && event.version !== undefined) model.aliases[event.payload.alias] = event.version;
        break;
      case 'version.alias_removed':
        if (model) delete model.aliases[event.payload.alias];
        break;
      case 'version.deleted':
        if (!model || event.version === undefined) return;
        delete model.versions[event.version];
        for (const [alias, target] of Object.entries(model.aliases)) if (target === event.version) delete model.aliases[alias];
        break;
      case 'model.deleted':
        if (model) model.deleted = true;
        break;
      case 'approval.requested':
        if (event.version !== undefined) this.data.requests[event.payload.id] = { model: event.model, version: event.version, stage: event.payload.stage };
        break;
      default:
        break;
    }
  }

  private ruleProblem(event: RegistryEvent, policy: Policy): string | undefined {
    // A repair is about the registry itself (mreg repair records what it kept and lost), not a model.
    if (event.type === 'registry.repaired') return event.model === '' ? undefined : 'a registry.repaired event names no model';
    const nameProblem = modelNameProblem(event.model);
    if (nameProblem) return nameProblem;
    const model = this.data.models[event.model];
    const tags = tagsProblem(event);
    if (tags) return tags;
    if (event.type === 'model.created') return model ? `model '${event.model}' exists already` : undefined;
    if (!model) return `it names model '${event.model}', which no earlier event created`;
    if (model.deleted) return `it names model '${event.model}', which an earlier event deleted`;
    if (event.type === 'model.deleted') {
      const live = Object.keys(model.versions);
      return live.length > 0 ? `it deletes model '${event.model}' while ${live.map((number) => formatRef(event.model, Number(number))).join(', ')} still exist (each needs its tombstone first)` : undefined;
    }
    if (event.version === undefined) return undefined;
    const ref = formatRef(event.model, event.version);
    if (event.type === 'version.registered') return this.registrationProblem(event, model, ref, policy);
    const version = model.versions[event.version];
    if (!version) return `it names ${ref}, which no earlier event registered (or which was deleted)`;
    switch (event.type) {
      case 'version.stage_changed':
        return this.stageChangeProblem(event, model, version, ref, policy);
      case 'version.alias_set':
        return aliasNameProblem(event.payload.alias);
      case 'version.alias_removed':
        return model.aliases[event.payload.alias] === undefined ? `${event.model} has no alias '${event.payload.alias}' to remove` : undefined;
      case 'version.deleted':
        return deletionProblem({ model: event.model, ref, stage: version.stage, everInProduction: version.wasProduction === true }, policy);
      case 'approval.requested':
        return this.data.requests[event.payload.id] ? `approval request ${event.payload.id} exists already` : undefined;
      case 'approval.approved':
      case 'approval.rejected': {
        const request = this.data.requests[event.payload.id];
        if (!request) return `it decides approval request ${event.payload.id}, which was never made`;
        return request.model === event.model && request.version === event.version ? undefined : `approval request ${event.payload.id} is for ${formatRef(request.model, request.version)}, not ${ref}`;
      }
      default:
        return undefined;
    }
  }

  private registrationProblem(event: Extract<RegistryEvent, { type: 'version.registered' }>, model: ModelState, ref: string, policy: Policy): string | undefined {
    const number = event.version!;
    if (model.versions[number]) return `${ref} is registered already`;
    if (number < model.next) return `${ref} takes a number already given (numbers are never reused; the next is ${model.next})`;
    if (fingerprintOf(event.payload.manifest) !== event.payload.fingerprint) return `the manifest of ${ref} does not match its fingerprint`;
    const { semver } = event.payload;
    if (semver !== undefined) {
      if (validSemver(semver) !== semver) return `'${semver}' is not a semver label`;
      const holder = Object.entries(model.versions).find(([, version]) => version.semver === semver);
      if (holder) return `semver ${semver} is taken by ${formatRef(event.model, Number(holder[0]))}`;
    }
    if (event.payload.stage !== 'None' && rulesFor(policy, event.model, event.payload.stage).length > 0) return `the policy guards ${event.payload.stage} for ${event.model}, and ${ref} is registered straight into it`;
    if (event.payload.stage === 'Production' && this.productionOf(model).length > 0) return `${ref} is registered into Production while ${this.productionText(event.model, model)} is there`;
    return undefined;
  }

  private stageChangeProblem(
    event: Extract<RegistryEvent, { type: 'version.stage_changed' }>,
    model: ModelState,
    version: ModelState['versions'][string],
    ref: string,
    policy: Policy,
  ): string | undefined {
    const { from, to, gates } = event.payload;
    if (from !== version.stage) return `it moves ${ref} from ${from}, but ${ref} is in ${version.stage}`;
    if (from === to) return `it moves ${ref} from ${from} to the same stage`;
    if (to === 'Production') {
      const others = this.productionOf(model).filter((number) => number !== event.version);
      if (others.length > 0) return `it puts ${ref} into Production while ${this.productionText(event.model, model)} is still there: a model has one Production version`;
    }
    const rules = rulesFor(policy, event.model, to);
    if (rules.length === 0) return undefined;
    // A rollback returns Production to a version that held it before; local rollbacks skip the gates too.
    if (event.payload.rollback && to === 'Production' && version.wasProduction && event.reason) return undefined;
    if (event.payload.supersededBy !== undefined && to === 'Archived') return undefined;
    if (!gates) return `the policy guards ${to} for ${event.model}, and the move of ${ref} carries no gate evaluation`;
    const failed = gates.results.filter((result) => !result.passed);
    if (gates.passed) {
      if (gates.results.length === 0 || failed.length > 0) return `its gate evaluation says passed, yet ${failed.length > 0 ? `${failed.length} rule(s) failed` : 'it checked no rule'}`;
      return undefined;
    }
    if (!gates.overridden) return `the promotion of ${ref} to ${to} failed the policy's gates (${failed.map((result) => result.rule).join('; ')})`;
    if (!event.reason?.trim()) return `the override of the gates for ${ref} gives no reason`;
    const overridable = new Set(rules.filter((rule) => rule.allowOverride === true).flatMap((rule) => ruleChecks(rule).map((check) => `${check.kind}\u0000${check.rule}`)));
    const refused = failed.filter((result) => !overridable.has(`${result.kind}\u0000${result.rule}`));
    if (refused.length > 0) return `the policy does not allow overriding ${refused.map((result) => result.rule).join('; ')} for ${ref}`;
    return undefined;
  }

  private productionOf(model: ModelState): number[] {
    return Object.entries(model.versions)
      .filter(([, version]) => version.stage === 'Production')
      .map(([number]) => Number(number));
  }

  private productionText(name: string, model: ModelState): string {
    return this.productionOf(model)
      .map((number) => formatRef(name, number))
      .join(', ');
  }
}

/** Tag keys follow the rules of `mreg tag` (and of metric and param keys). */
function tagsProblem(event: RegistryEvent): string | undefined {
  const tags = (event.payload as { tags?: Record<string, unknown> }).tags;
  for (const key of Object.keys(tags ?? {})) {
    try {
      assertKey('tag', key);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}
