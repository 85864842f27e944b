import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { EventType, RegistryEvent } from './events';
import { ManifestSchema } from './manifest';
import { STAGES } from './stage';

/**
 * The shape of every event type, checked on events that come from elsewhere (pulled from a shared
 * store), where nothing guarantees they were made by this code. Unknown extra fields are let
 * through: the hash chain covers them and a newer client may add some.
 */
const StageSchema = Type.Union(STAGES.map((stage) => Type.Literal(stage)));
const Tags = Type.Record(Type.String(), Type.String());
const TagChanges = Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()]));
const Description = Type.Optional(Type.String());
const DescriptionChange = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });

const GateResultSchema = Type.Object({ kind: Type.String(), rule: Type.String(), passed: Type.Boolean(), detail: Type.String() });

const PAYLOADS: Record<EventType, TSchema> = {
  'model.created': Type.Object({ description: Description, tags: Type.Optional(Tags) }),
  'model.updated': Type.Object({ description: DescriptionChange, tags: Type.Optional(TagChanges) }),
  'version.registered': Type.Object({
    id: Type.String({ minLength: 1 }),
    semver: Type.Optional(Type.String()),
    stage: StageSchema,
    description: Description,
    tags: Tags,
    fingerprint: Sha256,
    manifest: ManifestSchema,
  }),
  'version.stage_changed': Type.Object({
    from: StageSchema,
    to: StageSchema,
    supersededBy: Type.Optional(Type.Integer({ minimum: 1 })),
    rollback: Type.Optional(Type.Literal(true)),
    gates: Type.Optional(
      Type.Object({ passed: Type.Boolean(), overridden: Type.Optional(Type.Literal(true)), results: Type.Array(GateResultSchema), approvalRequests: Type.Array(Type.String()) }),
    ),
  }),
  'approval.requested': Type.Object({ id: Type.String({ minLength: 1 }), stage: StageSchema }),
  'approval.approved': Type.Object({ id: Type.String({ minLength: 1 }) }),
  'approval.rejected': Type.Object({ id: Type.String({ minLength: 1 }) }),
  'version.alias_set': Type.Object({ alias: Type.String(), previous: Type.Optional(Type.Integer({ minimum: 1 })) }),
  'version.alias_removed': Type.Object({ alias: Type.String() }),
  'version.updated': Type.Object({ description: DescriptionChange, tags: Type.Optional(TagChanges) }),
  'version.deleted': Type.Object({ rule: Type.String(), fingerprint: Sha256 }),
  'model.deleted': Type.Object({}),
  'registry.repaired': Type.Object({
    keptAs: Type.String(),
    intactUpTo: Type.Integer({ minimum: 0 }),
    unreadableBytes: Type.Integer({ minimum: 0 }),
    rechained: Type.Integer({ minimum: 0 }),
    restored: Type.Array(Type.String()),
    lost: Type.Array(Type.String()),
  }),
};

/** Event types about a model or the whole registry: they name no version (every other type must). */
const MODEL_LEVEL = new Set<EventType>(['model.created', 'model.updated', 'model.deleted', 'registry.repaired']);

const EnvelopeSchema = Type.Object({
  v: Type.Integer({ minimum: 1 }),
  seq: Type.Integer({ minimum: 1 }),
  id: Type.String({ minLength: 1 }),
  time: Type.String({ minLength: 1 }),
  actor: Type.String({ minLength: 1 }),
  prev: Sha256,
  hash: Sha256,
  type: Type.String(),
  model: Type.String(),
  version: Type.Optional(Type.Integer({ minimum: 1 })),
  reason: Type.Optional(Type.String()),
  payload: Type.Object({}),
});

/** What is wrong with the shape of `value` as an event, or undefined when it is a well-formed one. */
export function eventShapeProblem(value: unknown): string | undefined {
  if (!Value.Check(EnvelopeSchema, value)) return firstError(EnvelopeSchema, value);
  const event = value as RegistryEvent;
  if (Number.isNaN(Date.parse(event.time))) return `/time: '${event.time}' is not a time`;
  const payload = PAYLOADS[event.type];
  if (!payload) return `/type: '${event.type}' is not an event type`;
  if (MODEL_LEVEL.has(event.type) !== (event.version === undefined)) {
    return MODEL_LEVEL.has(event.type) ? `/version: a ${event.type} event names no version` : `/version: a ${event.type} event must name a version number`;
  }
  if (!Value.Check(payload, event.payload)) return firstError(payload, event.payload, '/payload');
  return undefined;
}

function firstError(schema: TSchema, value: unknown, base = ''): string {
  const first = Value.Errors(schema, value).First();
  return first ? `${base}${first.path || '/'}: ${first.message}` : `${base || '/'}: not the expected shape`;
}
