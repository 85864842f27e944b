import { InvalidArgumentError } from 'commander';
import type { MetricDirection, ParamValue } from '../core/manifest';
import { parseStage, STAGES, type Stage } from '../core/stage';
import { setOwn, userKeyedRecord } from '../core/userKeyedRecord';

/** Collects a repeatable `--flag k=v` into a list. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function splitPair(flag: string, text: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) throw new InvalidArgumentError(`--${flag} takes key=value, got '${text}'.`);
  return [text.slice(0, equals), text.slice(equals + 1)];
}

export function parseMetrics(pairs: string[]): Record<string, number> {
  const metrics = userKeyedRecord<number>();
  for (const pair of pairs) {
    const [key, text] = splitPair('metric', pair);
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`--metric ${pair}: '${text}' is not a finite number.`);
    setOwn(metrics, key, value);
  }
  return metrics;
}

export function parseDirections(pairs: string[]): Record<string, MetricDirection> {
  const directions = userKeyedRecord<MetricDirection>();
  for (const pair of pairs) {
    const [key, text] = splitPair('metric-direction', pair);
    if (text !== 'max' && text !== 'min') throw new InvalidArgumentError(`--metric-direction ${pair}: use max (higher is better) or min (lower is better).`);
    setOwn(directions, key, text);
  }
  return directions;
}

const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

/** `lr=0.01` is the number 0.01, `seed=042` the string "042", `flag=true` a boolean, the rest strings. */
export function parseParams(pairs: string[]): Record<string, ParamValue> {
  const params = userKeyedRecord<ParamValue>();
  for (const pair of pairs) {
    const [key, text] = splitPair('param', pair);
    setOwn(params, key, JSON_NUMBER.test(text) ? Number(text) : text === 'true' ? true : text === 'false' ? false : text === 'null' ? null : text);
  }
  return params;
}

/**
 * `--param-json lr=0.1`, `--param-json seed='"042"'`: the value is JSON, so a program passes each
 * param with its own type (the string "0.1" stays a string) instead of --param's guessing.
 */
export function parseJsonParams(pairs: string[]): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const pair of pairs) {
    const [key, text] = splitPair('param-json', pair);
    if (/^-?(NaN|Infinity)$/.test(text.trim())) throw new InvalidArgumentError(`--param-json ${pair}: JSON has no NaN or infinity; record it as a string if it matters, e.g. ${key}='"${text}"'.`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new InvalidArgumentError(`--param-json ${pair}: '${text}' is not JSON; write a string in double quotes, e.g. ${key}='"${text}"'.`);
    }
    if (!(value === null || ['string', 'number', 'boolean'].includes(typeof value))) {
      throw new InvalidArgumentError(`--param-json ${pair}: a param is a JSON string, number, boolean or null, not ${Array.isArray(value) ? 'an array' : 'an object'}.`);
    }
    params[key] = value as ParamValue;
  }
  return params;
}

export function parseTags(pairs: string[]): Record<string, string> {
  return userKeyedRecord(pairs.map((pair) => splitPair('tag', pair)));
}

export function parseStageArgument(text: string): Stage {
  const stage = parseStage(text);
  if (!stage) throw new InvalidArgumentError(`'${text}' is not a stage; use one of ${STAGES.join(', ')} (any case).`);
  return stage;
}

export function parsePositiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`'${text}' is not a whole number from 1.`);
  return value;
}
