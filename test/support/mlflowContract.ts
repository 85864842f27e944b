import assert from 'node:assert/strict';

/**
 * MLflow's REST contract for the Model Registry, written down from mlflow/protos/model_registry.proto
 * (MLflow 2.17.2) and how its server writes proto messages as JSON (proto field names, int64 as
 * JSON numbers, enums by name, repeated fields as arrays, unset fields left out). Tests check our
 * answers against this, not against what our own code happens to print.
 */
type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object';

const MODEL_VERSION: Record<string, JsonType> = {
  name: 'string',
  version: 'string',
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
  user_id: 'string',
  current_stage: 'string',
  description: 'string',
  source: 'string',
  run_id: 'string',
  status: 'string',
  status_message: 'string',
  tags: 'array',
  run_link: 'string',
  aliases: 'array',
};

const REGISTERED_MODEL: Record<string, JsonType> = {
  name: 'string',
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
  user_id: 'string',
  description: 'string',
  latest_versions: 'array',
  tags: 'array',
  aliases: 'array',
};

/** ModelVersionStatus. */
const STATUSES = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'];
/** The stages MLflow's registry knows (mlflow/entities/model_registry/model_version_stages.py). */
const STAGES = ['None', 'Staging', 'Production', 'Archived'];

/** MLflow's databricks.proto ErrorCode names and the status mlflow/exceptions.py pairs each with. */
export const ERROR_STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409,
  INTERNAL_ERROR: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
};

function typeOf(value: unknown): JsonType | 'null' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as JsonType;
}

function assertFields(what: string, value: unknown, fields: Record<string, JsonType>, required: string[]): Record<string, unknown> {
  assert.equal(typeOf(value), 'object', `${what} is a JSON object`);
  const record = value as Record<string, unknown>;
  for (const [key, field] of Object.entries(record)) {
    assert.ok(key in fields, `${what} has field '${key}', which the proto does not define`);
    assert.equal(typeOf(field), fields[key], `${what}.${key} is a JSON ${fields[key]}`);
  }
  for (const key of required) assert.ok(key in record, `${what} carries '${key}'`);
  return record;
}

function assertTags(what: string, tags: unknown): void {
  for (const tag of (tags as unknown[] | undefined) ?? []) {
    assert.deepEqual(Object.keys(tag as object).sort(), ['key', 'value'], `${what} tag is {key, value}`);
    assert.equal(typeof (tag as { value: unknown }).value, 'string');
  }
}

export interface ContractModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source?: string;
  run_id?: string;
  status: string;
  tags?: { key: string; value: string }[];
  aliases?: string[];
}

export interface ContractRegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: ContractModelVersion[];
  tags?: { key: string; value: string }[];
  aliases?: { alias: string; version: string }[];
}

export function assertModelVersion(value: unknown, what = 'model_version'): ContractModelVersion {
  const record = assertFields(what, value, MODEL_VERSION, ['name', 'version', 'creation_timestamp', 'current_stage', 'status', 'source']);
  assert.match(record.version as string, /^[1-9][0-9]*$/, `${what}.version is a version number as a string`);
  assert.ok(STATUSES.includes(record.status as string), `${what}.status is a ModelVersionStatus name`);
  assert.ok(STAGES.includes(record.current_stage as string), `${what}.current_stage is a stage name`);
  assertTags(what, record.tags);
  for (const alias of (record.aliases as unknown[] | undefined) ?? []) assert.equal(typeof alias, 'string');
  return record as unknown as ContractModelVersion;
}

export function assertRegisteredModel(value: unknown, what = 'registered_model'): ContractRegisteredModel {
  const record = assertFields(what, value, REGISTERED_MODEL, ['name', 'creation_timestamp']);
  for (const version of (record.latest_versions as unknown[] | undefined) ?? []) assertModelVersion(version, `${what}.latest_versions[]`);
  assertTags(what, record.tags);
  for (const alias of (record.aliases as unknown[] | undefined) ?? []) {
    assert.deepEqual(Object.keys(alias as object).sort(), ['alias', 'version'], `${what} alias is {alias, version}`);
  }
  return record as unknown as ContractRegisteredModel;
}

/** An error answer: `{"error_code", "message"}` with the status MLflow pairs with the code. */
export function assertMlflowError(answer: { status: number; json<T>(): T }, errorCode: string, message?: RegExp): string {
  const body = answer.json<{ error_code: string; message: string }>();
  assert.equal(body.error_code, errorCode, `error_code (message: ${body.message})`);
  assert.equal(answer.status, ERROR_STATUS[errorCode], `HTTP status for ${errorCode}`);
  assert.equal(typeof body.message, 'string');
  if (message) assert.match(body.message, message);
  return body.message;
}
