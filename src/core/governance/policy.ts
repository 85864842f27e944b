import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import { parseYaml } from '../lazyModules';
import { RegistryError } from '../registryError';
import { STAGES, type Stage } from '../stage';

/**
 * The project's promotion policy, `.modelregistry/policy.yaml`, committed with the code. One
 * definition gives the type, the validator and the published JSON Schema (schemas/policy.schema.json).
 */
export const POLICY_FILE_NAME = 'policy.yaml';

const StageName = Type.Union(STAGES.map((stage) => Type.Literal(stage)));
const OneOrMany = <T extends ReturnType<typeof Type.String>>(item: T) => Type.Union([item, Type.Array(item, { minItems: 1 })]);

/** `accuracy >= 0.9`: a metric, a comparison and a number. */
export const THRESHOLD_PATTERN = '^\\s*([A-Za-z0-9_.\\-/]+)\\s*(>=|<=|>|<|==)\\s*(-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)\\s*$';

export const GateRuleSchema = Type.Object(
  {
    models: OneOrMany(Type.String({ minLength: 1, description: "model-name glob, e.g. 'fraud-*'" })),
    stages: Type.Union([StageName, Type.Array(StageName, { minItems: 1 })], { description: 'target stage(s) the rule guards' }),
    thresholds: Type.Optional(Type.Array(Type.String({ pattern: THRESHOLD_PATTERN, description: "'accuracy >= 0.9', 'latency_ms <= 50'" }))),
    noRegression: Type.Optional(
      Type.Array(
        Type.Object(
          {
            metric: Type.String({ minLength: 1 }),
            tolerance: Type.Optional(Type.Number({ minimum: 0, description: 'how much worse than Production is still accepted (absolute, in the metric’s unit)' })),
            direction: Type.Optional(Type.Union([Type.Literal('max'), Type.Literal('min')], { description: "used when the versions record none: 'max' higher is better, 'min' lower is better" })),
          },
          { additionalProperties: false },
        ),
        { description: 'metrics that must not be worse than the current Production version' },
      ),
    ),
    signatureCompatible: Type.Optional(Type.Boolean({ description: 'no breaking change against the current Production version’s signature' })),
    lineage: Type.Optional(
      Type.Object(
        {
          cleanGitTree: Type.Optional(Type.Boolean({ description: 'registered from a git working tree with no changes' })),
          dataLineage: Type.Optional(Type.Boolean({ description: 'at least one training data entry recorded' })),
          environment: Type.Optional(Type.Boolean({ description: 'the environment (Python, packages, OS …) recorded' })),
          noPickleFindings: Type.Optional(Type.Boolean({ description: 'every pickle-capable artifact was scanned and nothing dangerous found' })),
        },
        { additionalProperties: false },
      ),
    ),
    approvals: Type.Optional(Type.Integer({ minimum: 0, description: 'approvals needed, by people other than the registrant (mreg request / mreg approve)' })),
    allowOverride: Type.Optional(Type.Boolean({ description: 'whether `mreg promote --override --reason` may bypass this rule (logged as an override)' })),
  },
  { additionalProperties: false },
);

export const WebhookSchema = Type.Object(
  {
    events: Type.Optional(
      Type.Array(Type.Union([Type.Literal('version.registered'), Type.Literal('version.stage_changed'), Type.Literal('version.alias_set')]), {
        minItems: 1,
        description: 'which events fire it (default all three)',
      }),
    ),
    models: Type.Optional(OneOrMany(Type.String({ minLength: 1 }))),
    command: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'program and arguments, run without a shell; the JSON payload arrives on stdin' })),
    url: Type.Optional(Type.String({ pattern: '^https?://', description: 'receives the JSON payload as a POST' })),
    secretEnv: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'name of the environment variable holding the HMAC secret (never the secret itself)' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600000, description: 'default 10000' })),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    rules: Type.Optional(Type.Array(GateRuleSchema)),
    webhooks: Type.Optional(Type.Array(WebhookSchema)),
    // Read by retention (src/core/retention/retentionPolicy.ts, which checks the values); described here so the file validates.
    retention: Type.Optional(
      Type.Object(
        {
          keepLast: Type.Optional(Type.Integer({ minimum: 1, description: 'per model, the newest N versions always stay' })),
          deleteArchivedAfterDays: Type.Optional(Type.Number({ minimum: 0, description: 'versions Archived this many days ago are deleted by mreg gc' })),
          blobGraceHours: Type.Optional(Type.Number({ minimum: 0, description: 'blobs no live version refers to are removed only this long after (default 24)' })),
        },
        { additionalProperties: false, description: 'mreg gc: which versions to delete, and when unreferenced blobs go (locally and in the shared store)' },
      ),
    ),
    // Read by deletion (src/core/governance/deletionRules.ts): mreg delete, mreg delete-model, the extension and mreg gc.
    deletion: Type.Optional(
      Type.Object(
        {
          forbidIfEverInProduction: Type.Optional(Type.Boolean({ description: 'versions that were ever in Production are never deleted (by a person or by retention)' })),
          models: Type.Optional(OneOrMany(Type.String({ minLength: 1, description: "model-name glob the rule applies to (default: every model), e.g. 'fraud-*'" }))),
        },
        { additionalProperties: false, description: 'who may delete what: versions in Production never are; this adds versions that ever were' },
      ),
    ),
  },
  {
    $id: 'https://model-registry.dev/schemas/policy.schema.json',
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'Model Registry promotion policy (.modelregistry/policy.yaml)',
    additionalProperties: false,
  },
);

export type Policy = Static<typeof PolicySchema>;
export type GateRule = Static<typeof GateRuleSchema>;
export type Webhook = Static<typeof WebhookSchema>;

/** Parses and checks policy text; `where` names the file in messages. */
export function parsePolicy(text: string, where: string): Policy {
  let value: unknown;
  try {
    value = parseYaml(text) ?? {};
  } catch (error) {
    throw new RegistryError('INVALID_INPUT', `${where} is not valid YAML: ${(error as Error).message}`);
  }
  if (!Value.Check(PolicySchema, value)) {
    const first = Value.Errors(PolicySchema, value).First();
    const detail = first ? `${first.path || '/'}: ${first.message}` : 'it does not match the policy schema';
    throw new RegistryError('INVALID_INPUT', `${where} is not a valid policy (${detail}). See schemas/policy.schema.json.`);
  }
  for (const [index, webhook] of (value.webhooks ?? []).entries()) {
    if ((webhook.command === undefined) === (webhook.url === undefined)) {
      throw new RegistryError('INVALID_INPUT', `${where} is not a valid policy (/webhooks/${index}: give either command or url, not both or neither).`);
    }
  }
  return value;
}

/** The policy in a registry folder; an empty policy when there is no file. */
export function loadPolicy(registryFolder: string): Policy {
  const file = path.join(registryFolder, POLICY_FILE_NAME);
  if (!existsSync(file)) return {};
  return parsePolicy(readFileSync(file, 'utf8'), file);
}

export function matchesModel(patterns: string | string[] | undefined, model: string): boolean {
  if (patterns === undefined) return true;
  return picomatch(patterns)(model);
}

/** The rules that guard moving a version of `model` into `stage`. */
export function rulesFor(policy: Policy, model: string, stage: Stage): GateRule[] {
  return (policy.rules ?? []).filter((rule) => (Array.isArray(rule.stages) ? rule.stages : [rule.stages]).includes(stage) && matchesModel(rule.models, model));
}
