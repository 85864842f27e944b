import type { SignatureTensor } from '../core/signature';
import type { Inspection, InspectionSummary } from './inspection';
import { limitFinding } from './inspectionBudget';

/** A summary value is a fact to show, not a document: past this it is cut. */
const SUMMARY_VALUE_CHARS = 4096;
const SUMMARY_KEYS = 96;
/** When the record is too big, signature lists and shapes are cut to these (their counts kept). */
const SIGNATURE_TENSORS_KEPT = 32;
const SHAPE_DIMS_KEPT = 16;

/**
 * The inspection as it may be recorded in a manifest: JSON-safe and at most `maxBytes` as JSON.
 * Headers can hold NaN or Infinity (a GGUF float) and counts past 2^53, which canonical JSON cannot
 * hold: they become strings. A record that is still too big loses listed tensors first (tensorCount
 * keeps the total), then signature entries and long summary values; what was cut is said in an
 * `inspection.limit` finding, so a hostile header cannot make a manifest of megabytes.
 */
export function recordedInspection(inspection: Inspection, maxBytes: number): Inspection {
  const record: Inspection = { ...inspection, summary: jsonSafeSummary(inspection.summary), findings: [...inspection.findings] };
  for (const count of ['parameterCount', 'tensorCount'] as const) {
    const value = record[count];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      delete record[count];
      record.summary[count] = String(value);
    }
  }
  if (record.signature) record.signature = { inputs: record.signature.inputs.map(jsonSafeTensor), outputs: record.signature.outputs.map(jsonSafeTensor) };
  const before = size(record);
  if (before <= maxBytes) return record;

  const cuts: string[] = [];
  if (record.tensors && record.tensors.length > 0) {
    const listed = record.tensors.length;
    while (record.tensors.length > 0 && size(record) > maxBytes) record.tensors = record.tensors.slice(0, Math.floor(record.tensors.length / 2));
    cuts.push(`tensors listed cut from ${listed} to ${record.tensors.length}`);
  }
  if (record.signature && size(record) > maxBytes) {
    const { inputs, outputs } = record.signature;
    record.summary.signatureInputs = inputs.length;
    record.summary.signatureOutputs = outputs.length;
    const cut = (tensors: SignatureTensor[]) => tensors.slice(0, SIGNATURE_TENSORS_KEPT).map((tensor) => ({ ...tensor, name: tensor.name.slice(0, 256), shape: tensor.shape.slice(0, SHAPE_DIMS_KEPT) }));
    record.signature = { inputs: cut(inputs), outputs: cut(outputs) };
    cuts.push(`signature cut to ${SIGNATURE_TENSORS_KEPT} inputs and outputs of ${SHAPE_DIMS_KEPT} dimensions`);
  }
  if (size(record) > maxBytes) {
    for (const [key, value] of Object.entries(record.summary)) {
      if (typeof value === 'string' && value.length > 200) record.summary[key] = `${value.slice(0, 200)}…`;
    }
    cuts.push('summary values cut to 200 characters');
  }
  if (size(record) > maxBytes) {
    // Nothing of a reasonable size is left to cut: keep what identifies the file and say so.
    record.summary = { format: record.format };
    delete record.signature;
    delete record.tensors;
    record.findings = record.findings.slice(0, 16).map((finding) => ({ ...finding, message: finding.message.slice(0, 500), ...(finding.where ? { where: finding.where.slice(0, 200) } : {}) }));
    cuts.push('summary, signature and tensors dropped');
  }
  record.findings.push(limitFinding('recordedBytes', `what its inspection found is ${before.toLocaleString('en-US')} bytes as JSON, more than the ${maxBytes.toLocaleString('en-US')} a manifest records per artifact (${cuts.join('; ')})`));
  return record;
}

function size(record: Inspection): number {
  return Buffer.byteLength(JSON.stringify(record));
}

function jsonSafeSummary(summary: InspectionSummary): InspectionSummary {
  const safe: InspectionSummary = {};
  for (const [key, value] of Object.entries(summary).slice(0, SUMMARY_KEYS)) {
    if (typeof value === 'number' && !Number.isFinite(value)) safe[key] = String(value);
    else if (typeof value === 'string' && value.length > SUMMARY_VALUE_CHARS) safe[key] = `${value.slice(0, SUMMARY_VALUE_CHARS)}…`;
    else safe[key] = value;
  }
  return safe;
}

function jsonSafeTensor(tensor: SignatureTensor): SignatureTensor {
  return { ...tensor, shape: tensor.shape.map((dim) => (typeof dim === 'number' && !Number.isFinite(dim) ? String(dim) : dim)) };
}
