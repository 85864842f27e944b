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

/** Kinds listed one by one in a summary ("F32×10, Q4_K×200"): past this many, a hostile file's endless kinds are counted together. */
const LISTED_KINDS = 64;

/** Counts of each kind of thing (dtype, operator), keeping at most LISTED_KINDS kinds apart. */
export function countKinds(): { add(kind: string, count?: number): void; summary(): string } {
  const counts = new Map<string, number>();
  let others = 0;
  return {
    add(kind, count = 1) {
      const seen = counts.get(kind);
      if (seen !== undefined) counts.set(kind, seen + count);
      else if (counts.size < LISTED_KINDS) counts.set(kind, count);
      else others += count;
    },
    /** Most frequent first, every kept kind listed, then what the other kinds add up to. */
    summary() {
      // Ties keep the order first seen (a stable sort), as a file lists its tensors.
      const listed = [...counts].sort((a, b) => b[1] - a[1]).map(([kind, n]) => `${kind}×${n}`);
      if (others > 0) listed.push(`${others} of further kinds (more than ${LISTED_KINDS} kinds)`);
      return listed.join(', ');
    },
  };
}
