import { inspectionSections } from './inspectionReport';
import type { GitLineage, Manifest } from './manifest';
import type { AuditEvent, ModelVersion, ModelVersionDetails, RegisteredModel, ResolvedVersion } from './modelVersion';
import type { StageAtTime, StageChange } from './stageHistory';
import { versionLabels } from './versionLabels';
import { plural } from './plural';

/** Plain-text reports for people: `mreg` prints them (`--json` prints the API's objects instead), the extension shows them in read-only documents. */

export function table(headers: string[], rows: (string | number | null)[][]): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))))];
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column].length)));
  return cells.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd()).join('\n');
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function modelsText(models: RegisteredModel[]): string {
  if (models.length === 0) return 'No models yet. Register one with: mreg register <model> <file>';
  return table(
    ['MODEL', 'VERSIONS', 'LATEST', 'PRODUCTION', 'DESCRIPTION'],
    models.map((model) => [model.name, model.versionCount, model.latestVersion, model.productionVersion, model.description]),
  );
}

export function versionsText(versions: ModelVersion[]): string {
  return table(
    ['VERSION', 'SEMVER', 'STAGE', 'ALIASES', 'CREATED', 'BY'],
    versions.map((version) => [version.number, version.semver, version.stage, version.aliases.join(', '), version.createdAt, version.createdBy]),
  );
}

export function versionLine(version: ModelVersion): string {
  return `${version.model}/${version.number} (${versionLabels(version).join(', ')})`;
}

export function versionDetailsText(details: ModelVersionDetails): string {
  const { manifest } = details;
  const lines = [
    `${details.model}/${details.number}`,
    `  id           ${details.id}`,
    `  semver       ${details.semver ?? '-'}`,
    `  stage        ${details.stage}`,
    `  aliases      ${details.aliases.join(', ') || '-'}`,
    `  created      ${details.createdAt} by ${details.createdBy}`,
    `  fingerprint  ${details.fingerprint}`,
  ];
  if (details.description) lines.push(`  description  ${details.description}`);
  if (manifest.lineage.git) lines.push(`  git          ${gitText(manifest.lineage.git)}`);
  if (manifest.lineage.git?.remote) lines.push(`  remote       ${manifest.lineage.git.remote}`);
  for (const [key, value] of Object.entries(details.tags)) lines.push(`  tag          ${key}=${value}`);
  lines.push('', 'Artifacts', indent(table(['PATH', 'SIZE', 'SHA256'], manifest.artifacts.map((a) => [a.path, formatBytes(a.size), a.sha256]))));
  const metrics = Object.entries(manifest.metrics);
  if (metrics.length > 0) lines.push('', 'Metrics', indent(table(['NAME', 'VALUE', 'BETTER'], metrics.map(([name, m]) => [name, m.value, m.direction === 'max' ? 'higher' : m.direction === 'min' ? 'lower' : '']))));
  const params = Object.entries(manifest.lineage.params);
  if (params.length > 0) lines.push('', 'Params', indent(table(['NAME', 'VALUE'], params.map(([name, value]) => [name, JSON.stringify(value)]))));
  if (manifest.lineage.data.length > 0) lines.push('', 'Data', indent(table(['URI', 'KIND', 'SHA256'], manifest.lineage.data.map((d) => [d.uri, d.kind, d.sha256 ?? (d.md5 ? `md5:${d.md5}` : '')]))));
  lines.push(...inspectionSections(manifest));
  return lines.join('\n');
}

function gitText(git: GitLineage): string {
  const changed = (git.modifiedTotal ?? git.modified?.length ?? 0) + (git.untrackedTotal ?? git.untracked?.length ?? 0);
  return `${git.commit}${git.branch ? ` (${git.branch})` : ''}${git.dirty ? `, dirty: ${plural(changed, 'uncommitted file')}` : ''}`;
}

/** A few lines on what a registration captured about how the model was made. */
/** What lineage capture found, from a manifest or from a capture not yet registered. */
export interface CapturedParts {
  git: GitLineage | null;
  data: readonly unknown[];
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  environment: Record<string, unknown>;
  sources: { params?: string; metrics?: string; run?: { kind: string; id?: string; path: string; reason: string } };
}

export function capturedSummary(manifest: Manifest): string {
  return capturedPartsSummary({ ...manifest.lineage, metrics: manifest.metrics, sources: manifest.source });
}

export function capturedPartsSummary(parts: CapturedParts): string {
  return capturedPartsFacts(parts)
    .map(([label, value]) => `  ${label.padEnd(13)}${value}`)
    .join('\n');
}

/** The same facts as label and value, for places that lay them out themselves (the extension's summary dialog). */
export function capturedPartsFacts(parts: CapturedParts): [string, string][] {
  const { git, data, params, environment } = parts;
  const from = (file: string | undefined): string => (file ? ` from ${file}` : '');
  const lockFiles = Array.isArray(environment.lockFiles) ? environment.lockFiles.length : 0;
  const machine = [environment.python ? `Python ${String(environment.python)}` : '', lockFiles ? plural(lockFiles, 'lock file') : '', [environment.platform, environment.arch].filter(Boolean).join(' '), environment.cuda ? `CUDA ${String(environment.cuda)}` : '']
    .filter(Boolean)
    .join(', ');
  return [
    ['git', git ? gitText(git) : 'not a git repository'],
    ['data', plural(data.length, 'item')],
    ['params', `${Object.keys(params).length}${from(parts.sources.params)}`],
    ['metrics', `${Object.keys(parts.metrics).length}${from(parts.sources.metrics)}`],
    ...(parts.sources.run ? [['run', `${parts.sources.run.kind} ${parts.sources.run.id ?? parts.sources.run.path}, because ${parts.sources.run.reason}`] as [string, string]] : []),
    ['environment', machine || 'not captured'],
    ...dataCheckFacts(data),
  ];
}

/** DVC entries compared with the disk: not pulled (recorded from DVC, unverified), differing (a warning), artifacts matched. */
function dataCheckFacts(data: readonly unknown[]): [string, string][] {
  const lines: [string, string][] = [];
  let notPulled = 0;
  for (const entry of data) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { uri, local, warning, artifactCheck } = entry as { uri?: unknown; local?: unknown; warning?: unknown; artifactCheck?: { result?: unknown } };
    if (local === 'not-pulled') notPulled++;
    if (typeof warning === 'string') lines.push(['WARNING', warning]);
    else if (artifactCheck?.result === 'match') lines.push(['dvc', `${String(uri)} is the DVC out it is registered as (md5 and size match)`]);
  }
  if (notPulled > 0) lines.push(['dvc', `${notPulled} DVC entr${notPulled === 1 ? 'y' : 'ies'} not pulled here: recorded from the DVC files, not verified locally`]);
  return lines;
}

export function resolvedText(resolved: ResolvedVersion): string {
  return [versionLine(resolved.version), indent(table(['PATH', 'SIZE', 'SHA256', 'BLOB'], resolved.artifacts.map((a) => [a.path, a.size, a.sha256, a.blobPath])))].join('\n');
}

export function stageHistoryText(model: string, history: { changes: StageChange[]; asOf?: StageAtTime }): string {
  const lines: string[] = [];
  if (history.asOf) {
    const { stage, time, versions } = history.asOf;
    lines.push(`${stage} at ${time}: ${versions.length === 0 ? 'no version' : versions.map((number) => `${model}/${number}`).join(', ')}`, '');
  }
  if (history.changes.length === 0) return [...lines, `No stage changes for ${model} yet.`].join('\n');
  const rows = history.changes.map((change) => [change.seq, change.time, change.actor, `${model}/${change.version}`, `${change.from} → ${change.to}`, `${change.rollback ? '[rollback] ' : ''}${change.reason ?? ''}`]);
  return [...lines, table(['#', 'TIME', 'ACTOR', 'VERSION', 'CHANGE', 'REASON'], rows)].join('\n');
}

export function eventsText(events: AuditEvent[]): string {
  if (events.length === 0) return 'No events yet.';
  return table(
    ['#', 'TIME', 'ACTOR', 'EVENT', 'VERSION', 'DETAILS', 'REASON'],
    events.map((event) => [
      event.seq,
      event.time,
      event.actor,
      event.type,
      event.model === null ? '' : event.version === null ? event.model : `${event.model}/${event.version}`,
      event.details === null ? '' : JSON.stringify(event.details),
      event.reason,
    ]),
  );
}

export function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
