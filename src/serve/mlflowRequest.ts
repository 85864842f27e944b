import type { IncomingMessage } from 'node:http';
import { MlflowError } from './mlflowErrors';

/** A request body of the registry API is a few hundred bytes; this bound keeps a hostile one from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The parameters of one MLflow API call. As MLflow's server reads them (handlers.py,
 * `_get_request_message`): a GET carries them in the query string, where a repeated field is the
 * same key given several times; other methods carry a JSON object as the body.
 */
export class MlflowParameters {
  private constructor(
    private readonly values: Map<string, unknown[]>,
    private readonly fromQuery: boolean,
  ) {}

  static fromQuery(query: URLSearchParams): MlflowParameters {
    const values = new Map<string, unknown[]>();
    for (const [key, value] of query) values.set(key, [...(values.get(key) ?? []), value]);
    return new MlflowParameters(values, true);
  }

  static fromJson(body: string): MlflowParameters {
    if (body.trim() === '') return new MlflowParameters(new Map(), false);
    let document: unknown;
    try {
      document = JSON.parse(body);
    } catch {
      throw new MlflowError('BAD_REQUEST', 'The request body is not valid JSON; send the parameters as a JSON object.');
    }
    // Old MLflow clients post their JSON encoded twice, as one string; MLflow's server decodes it again.
    if (typeof document === 'string') return MlflowParameters.fromJson(document);
    if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new MlflowError('BAD_REQUEST', 'The request body must be a JSON object of parameters.');
    return new MlflowParameters(new Map(Object.entries(document).map(([key, value]) => [key, Array.isArray(value) ? value : [value]])), false);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A string parameter; MLflow's own message for a missing required one. */
  string(name: string, required: true): string;
  string(name: string, required?: false): string | undefined;
  string(name: string, required = false): string | undefined {
    const values = this.values.get(name);
    const value = values?.[0];
    if (value === undefined || value === null) {
      if (required) throw new MlflowError('INVALID_PARAMETER_VALUE', `Missing value for required parameter '${name}'. See the API docs for more information about request parameters.`);
      return undefined;
    }
    if (values!.length > 1 || typeof value !== 'string') throw invalid(name, value, 'a string');
    return value;
  }

  /** A model version number: MLflow sends it as a string of digits. */
  versionNumber(name = 'version'): number {
    const raw = this.values.get(name)?.[0];
    const text = typeof raw === 'number' ? String(raw) : this.string(name, true);
    if (!/^[1-9][0-9]{0,15}$/.test(text)) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid value '${text}' for parameter '${name}': a model version is a positive whole number such as '3'.`);
    return Number(text);
  }

  integer(name: string, fallback: number, bounds: { min: number; max: number }): number {
    const raw = this.values.get(name)?.[0];
    if (raw === undefined || raw === null) return fallback;
    const text = String(raw);
    if (!/^-?[0-9]+$/.test(text)) throw invalid(name, raw, 'a whole number');
    const value = Number(text);
    if (value < bounds.min || value > bounds.max) throw new MlflowError('INVALID_PARAMETER_VALUE', `Invalid value ${text} for parameter '${name}': it must be between ${bounds.min} and ${bounds.max}.`);
    return value;
  }

  boolean(name: string): boolean {
    const raw = this.values.get(name)?.[0];
    if (raw === undefined || raw === null) return false;
    if (typeof raw === 'boolean') return raw;
    if (this.fromQuery && (raw === 'true' || raw === 'false')) return raw === 'true';
    throw invalid(name, raw, 'true or false');
  }

  /** A repeated string field (`stages`, `order_by`); empty when absent. */
  strings(name: string): string[] {
    const values = this.values.get(name) ?? [];
    for (const value of values) if (typeof value !== 'string') throw invalid(name, value, 'a list of strings');
    return values as string[];
  }
}

function invalid(name: string, value: unknown, expected: string): MlflowError {
  return new MlflowError('INVALID_PARAMETER_VALUE', `Invalid value ${JSON.stringify(value)} for parameter '${name}' supplied: expected ${expected}.`);
}

/** Reads a request body up to MAX_BODY_BYTES; a longer one is refused before it is all read. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new MlflowError('BAD_REQUEST', `The request body is over ${MAX_BODY_BYTES} bytes; MLflow's registry calls need far less.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
