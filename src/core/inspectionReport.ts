import type { Manifest } from './manifest';

/** One line per security finding in a version's artifacts: `HIGH model.pkl: imports os.system … (at …)`. */
export function securityFindingLines(manifest: Manifest): string[] {
  return manifest.artifacts.flatMap((artifact) =>
    (artifact.inspection?.findings ?? []).map((finding) => `${finding.severity.toUpperCase()} ${artifact.path}: ${finding.message}${finding.where ? ` (at ${finding.where})` : ''} [${finding.code}]`),
  );
}

/** Files that claim a format but could not be read as it: `model.onnx: not a readable onnx file: …`. */
export function inspectionErrorLines(manifest: Manifest): string[] {
  return manifest.artifacts.flatMap((artifact) => (artifact.inspection?.error ? [`${artifact.path}: ${artifact.inspection.error}`] : []));
}

/** The `Inspection` and `Security findings` sections of `mreg show`; nothing when no artifact was inspected. */
export function inspectionSections(manifest: Manifest): string[] {
  const lines: string[] = [];
  const inspected = manifest.artifacts.filter((artifact) => artifact.inspection);
  if (inspected.length > 0) {
    lines.push('', 'Inspection');
    for (const { path, inspection } of inspected) {
      if (!inspection) continue;
      const facts = [inspection.format];
      if (inspection.parameterCount !== undefined) facts.push(`${inspection.parameterCount.toLocaleString('en-US')} parameters`);
      if (inspection.tensorCount !== undefined) facts.push(`${inspection.tensorCount} tensors`);
      lines.push(`  ${path}: ${facts.join(', ')}`);
      if (inspection.error) lines.push(`    error: ${inspection.error}`);
      for (const [key, value] of Object.entries(inspection.summary)) lines.push(`    ${key}: ${value === null ? '-' : String(value)}`);
      if (inspection.signature) {
        for (const [side, tensors] of [['input', inspection.signature.inputs], ['output', inspection.signature.outputs]] as const) {
          for (const tensor of tensors) lines.push(`    ${side} ${tensor.name}: ${tensor.elementType} [${tensor.shape.map((dim) => (dim === null ? '?' : String(dim))).join(', ')}]`);
        }
      }
    }
  }
  const findings = securityFindingLines(manifest);
  if (findings.length > 0) {
    lines.push('', 'Security findings (read from the file, which was never executed; do not load it unless you trust its source)');
    lines.push(...findings.map((line) => `  ${line}`));
  }
  return lines;
}
