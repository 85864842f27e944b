import type { InspectionSummary, TensorInfo } from './inspection';

/** A manifest lists this many tensors at most (tensorCount has the total): manifests stay small. */
export const LISTED_TENSORS = 100;
const LISTED_METADATA_KEYS = 32;
const METADATA_VALUE_CHARS = 200;

export function listedTensors(tensors: TensorInfo[]): TensorInfo[] {
  return tensors.slice(0, LISTED_TENSORS);
}

export function product(dims: readonly number[]): number {
  return dims.reduce((total, dim) => total * dim, 1);
}

/** A format's free-form metadata as `metadata.<key>` summary entries, bounded in count and length. */
export function metadataSummary(metadata: Record<string, unknown>, prefix = 'metadata.'): InspectionSummary {
  const summary: InspectionSummary = {};
  for (const [key, value] of Object.entries(metadata).slice(0, LISTED_METADATA_KEYS)) {
    summary[`${prefix}${key}`] = scalar(value);
  }
  return summary;
}

export function scalar(value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > METADATA_VALUE_CHARS ? `${text.slice(0, METADATA_VALUE_CHARS)}…` : text;
}
