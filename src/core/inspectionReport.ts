import { canonicalJson } from './canonicalJson';
import type { ArtifactInspection, Manifest } from './manifest';

/** One line per security finding: `HIGH model.pkl: imports os.system … (at …) [code]`. */
export function findingLines(path: string, inspection: ArtifactInspection | undefined): string[] {
  return (inspection?.findings ?? []).map((finding) => `${finding.severity.toUpperCase()} ${path}: ${finding.message}${finding.where ? ` (at ${finding.where})` : ''} [${finding.code}]`);
}

/** Every security finding in a version's artifacts. */
export function securityFindingLines(manifest: Manifest): string[] {
  return manifest.artifacts.flatMap((artifact) => findingLines(artifact.path, artifact.inspection));
}

/** Files that claim a format but could not be read as it: `model.onnx: not a readable onnx file: …`. */
export function inspectionErrorLines(manifest: Manifest): string[] {
  return manifest.artifacts.flatMap((artifact) => (artifact.inspection?.error ? [`${artifact.path}: ${artifact.inspection.error}`] : []));
}

/** What a person should be warned of about one file: its security findings, then why it could not be read. */
export function artifactWarningLines(path: string, inspection: ArtifactInspection | undefined): string[] {
  return [...findingLines(path, inspection), ...(inspection?.error ? [`${path}: ${inspection.error}`] : [])];
}

/** Every warning about a version's files: the findings and the files that could not be read as their format. */
export function versionWarningLines(manifest: Manifest): string[] {
  return [...securityFindingLines(manifest), ...inspectionErrorLines(manifest)];
}

/** The facts read from one file, as label and value: format, parameter and tensor counts, then its summary (operators, opsets, …). */
export function inspectionFacts(inspection: ArtifactInspection): [string, string | number | boolean | null][] {
  const facts: [string, string | number | boolean | null][] = [['format', inspection.format]];
  if (inspection.parameterCount !== undefined) facts.push(['parameters', inspection.parameterCount.toLocaleString('en-US')]);
  if (inspection.tensorCount !== undefined) facts.push(['tensors', inspection.tensorCount]);
  facts.push(...Object.entries(inspection.summary));
  return facts;
}

/** The files the version's signature was read from (an MLflow model folder's declaration or the weight file's own tensors). */
export function signatureSources(manifest: Manifest): string[] {
  if (manifest.signature === undefined) return [];
  const recorded = canonicalJson(manifest.signature);
  return manifest.artifacts.filter((artifact) => artifact.inspection?.signature !== undefined && canonicalJson(artifact.inspection.signature) === recorded).map((artifact) => artifact.path);
}

/** What was read from one file: a headline, then its summary, error and signature, indented. */
export function inspectionLines(path: string, inspection: ArtifactInspection): string[] {
  const facts = [inspection.format];
  if (inspection.parameterCount !== undefined) facts.push(`${inspection.parameterCount.toLocaleString('en-US')} parameters`);
  if (inspection.tensorCount !== undefined) facts.push(`${inspection.tensorCount} tensors`);
  const lines = [`${path}: ${facts.join(', ')}`];
  if (inspection.error) lines.push(`  error: ${inspection.error}`);
  for (const [key, value] of Object.entries(inspection.summary)) lines.push(`  ${key}: ${value === null ? '-' : String(value)}`);
  if (inspection.signature) {
    for (const [side, tensors] of [['input', inspection.signature.inputs], ['output', inspection.signature.outputs]] as const) {
      for (const tensor of tensors) lines.push(`  ${side} ${tensor.name}: ${tensor.elementType} [${tensor.shape.map((dim) => (dim === null ? '?' : String(dim))).join(', ')}]`);
    }
  }
  return lines;
}

export const FINDINGS_HEADING = 'Security findings (read from the file, which was never executed; do not load it unless you trust its source)';

/** The `Inspection` and `Security findings` sections of `mreg show`; nothing when no artifact was inspected. */
export function inspectionSections(manifest: Manifest): string[] {
  const lines: string[] = [];
  const inspected = manifest.artifacts.flatMap((artifact) => (artifact.inspection ? [inspectionLines(artifact.path, artifact.inspection)] : []));
  if (inspected.length > 0) lines.push('', 'Inspection', ...inspected.flat().map((line) => `  ${line}`));
  const findings = securityFindingLines(manifest);
  if (findings.length > 0) lines.push('', FINDINGS_HEADING, ...findings.map((line) => `  ${line}`));
  return lines;
}
