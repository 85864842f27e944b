import type { ChangeStatus, ValueComparison, VersionComparison } from '../src/core/versionComparison';
import type { VersionPage, WebviewMessage } from '../src/extension/webviews/protocol';
import { artifactWarningLines, inspectionFacts, signatureSources, FINDINGS_HEADING } from '../src/core/inspectionReport';
import { formatBytes } from '../src/core/textReports';
import { flatten } from '../src/core/versionComparison';
import { el, section, shown, table, type Child } from './dom';
import { metricsTable, type MetricSort } from './metricsTable';
import { button, checkbox } from './uiComponents';
import { versionLabel } from '../src/core/versionLabels';
import { governanceSection } from './governanceSection';
import { eventSentence } from '../src/core/eventSentences';
import { timeText } from '../src/core/timeText';
import { plural } from '../src/core/plural';

/** What the page remembers across hiding besides its data: how the person left the tables. */
export interface ViewState {
  sort: MetricSort;
  changedOnly: boolean;
  /** The metrics chart's chosen metrics; null until the person chooses. */
  chartMetrics: string[] | null;
  /** What the audit log's filter box holds. */
  logFilter: string;
}

export interface PageContext {
  /** The view state now (it changes without a re-render when the metrics are sorted). */
  readonly state: ViewState;
  post(message: WebviewMessage): void;
  /** Re-renders the page after a change of the view state. */
  update(state: ViewState): void;
  /** Remembers a change of the view state that the caller has drawn itself. */
  save(state: ViewState): void;
}

const STATUS_LABEL: Record<ChangeStatus, string> = { same: 'same', changed: 'changed', added: 'added', removed: 'removed' };

function status(value: ChangeStatus): HTMLElement {
  return el('span', { class: `status ${value}` }, STATUS_LABEL[value]);
}

function versionActions(ref: string, context: PageContext, ...more: Child[]): HTMLElement {
  return el(
    'div',
    { class: 'actions', attrs: { role: 'toolbar', 'aria-label': `Actions on ${ref}` } },
    button('Promote…', () => context.post({ type: 'promote', ref })),
    button('Set Alias…', () => context.post({ type: 'setAlias', ref }), true),
    button('Copy URI', () => context.post({ type: 'copyUri', ref }), true),
    button('Copy Load Snippet…', () => context.post({ type: 'copyLoadSnippet', ref }), true),
    button('Show Manifest', () => context.post({ type: 'showManifest', ref }), true),
    ...more,
  );
}

function keyValues(entries: [string, unknown][]): HTMLElement {
  if (entries.length === 0) return el('p', { class: 'muted' }, 'None recorded.');
  return table(['Name', 'Value'], entries, ([name, value]) => [name, shown(value)], 'values');
}

function valueChanges(rows: ValueComparison[], changedOnly: boolean, what: string): HTMLElement {
  const shownRows = rows.filter((row) => !changedOnly || row.status !== 'same');
  if (shownRows.length === 0) return el('p', { class: 'muted' }, rows.length === 0 ? `No ${what} recorded.` : `No ${what} changed.`);
  return table(
    ['Name', 'Before', 'After', 'Change'],
    shownRows,
    (row) => [row.name, row.status === 'added' ? '' : shown(row.before), row.status === 'removed' ? '' : shown(row.after), status(row.status)],
    'values',
  );
}

function commitLine(ref: string, commit: string | null, context: PageContext): Child {
  if (!commit) return el('span', { class: 'muted' }, 'no git commit');
  return el('span', null, el('code', null, commit.slice(0, 12)), ' ', button('Open Commit', () => context.post({ type: 'openCommit', ref, commit }), true));
}

export function renderComparison(comparison: VersionComparison, context: PageContext): HTMLElement {
  const { before, after, summary, lineage } = comparison;
  const { state } = context;
  const heading = (label: string, version: VersionComparison['before']) =>
    el(
      'div',
      { class: 'version-card' },
      el('h2', null, label, ' ', version.ref),
      el('p', null, versionLabel(version)),
      el('p', { class: 'muted' }, `${timeText(version.createdAt)} by ${version.createdBy}`),
      version.description ? el('p', null, version.description) : null,
      versionActions(version.ref, context),
    );
  const filter = checkbox('Changed only', state.changedOnly, (changedOnly) => context.update({ ...context.state, changedOnly }));
  filter.id = 'changed-only';
  const signatureChanges = comparison.signature.comparison.changes;
  return el(
    'div',
    { class: 'page comparison', attrs: { 'data-page': `${before.ref}|${after.ref}` } },
    el('h1', null, `${before.ref} ↔ ${after.ref}`),
    el('div', { class: 'versions' }, heading('Before', before), heading('After', after)),
    el(
      'p',
      { class: 'summary' },
      comparison.sameFingerprint ? 'The manifests are identical. ' : '',
      `Metrics: ${summary.metrics.better} better, ${summary.metrics.worse} worse, ${summary.metrics.changed} changed. `,
      `Params: ${summary.params.changed} changed, ${summary.params.added} added, ${summary.params.removed} removed. `,
      `Artifacts: ${summary.artifacts.changed} changed, ${summary.artifacts.added} added, ${summary.artifacts.removed} removed.`,
      summary.breakingSignature ? el('strong', { class: 'worse' }, ' The signature has breaking changes.') : '',
    ),
    el('div', { class: 'filters' }, filter),
    section('Metrics', comparison.metrics.length === 0 ? el('p', { class: 'muted' }, 'No metrics recorded.') : sortableMetrics(comparison, context)),
    section('Params', valueChanges(comparison.params, state.changedOnly, 'params')),
    section(
      'Signature',
      !comparison.signature.before && !comparison.signature.after
        ? el('p', { class: 'muted' }, 'Neither version records a signature.')
        : !comparison.signature.before || !comparison.signature.after
          ? el('p', null, oneSidedSignature(comparison.signature.before ? before.ref : after.ref, comparison.signature.before ? after.ref : before.ref))
          : signatureChanges.length === 0
          ? el('p', null, 'Unchanged.')
          : table(['Kind', 'Change'], signatureChanges, (change) => [el('span', { class: change.kind === 'breaking' ? 'worse' : 'better' }, change.kind), change.message], 'values'),
    ),
    section(
      'Lineage',
      el('p', null, 'Commit: ', commitLine(before.ref, lineage.git.before, context), ' → ', commitLine(after.ref, lineage.git.after, context)),
      lineage.git.commitsBetween
        ? el('div', null, el('p', null, `${plural(lineage.git.commitsBetween.count, 'commit')} between:`), el('ul', null, ...lineage.git.commitsBetween.subjects.map((subject) => el('li', null, subject))))
        : null,
      el('h3', null, 'Git details'),
      valueChanges(lineage.git.fields, state.changedOnly, 'git details'),
      el('h3', null, 'Data'),
      lineage.data.filter((row) => !state.changedOnly || row.status !== 'same').length === 0
        ? el('p', { class: 'muted' }, lineage.data.length === 0 ? 'No data recorded.' : 'No data changed.')
        : table(
            ['Data', 'Before', 'After', 'Change'],
            lineage.data.filter((row) => !state.changedOnly || row.status !== 'same'),
            (row) => [row.uri, row.before?.sha256?.slice(0, 12) ?? row.before?.kind ?? '', row.after?.sha256?.slice(0, 12) ?? row.after?.kind ?? '', status(row.status)],
            'values',
          ),
      el('h3', null, 'Environment'),
      valueChanges(lineage.environment, state.changedOnly, 'environment entries'),
    ),
    section(
      'Artifacts',
      table(
        ['Path', 'Before', 'After', 'Change'],
        comparison.artifacts.filter((row) => !state.changedOnly || row.status !== 'same'),
        (row) => [row.path, row.before ? `${formatBytes(row.before.size)} · ${row.before.sha256.slice(0, 12)}` : '', row.after ? `${formatBytes(row.after.size)} · ${row.after.sha256.slice(0, 12)}` : '', status(row.status)],
        'values',
      ),
    ),
    section(
      'Manifests',
      el('div', { class: 'actions' }, button('Open in Diff Editor', () => context.post({ type: 'openManifestDiff' }), true)),
      rawManifests(comparison),
    ),
  );
}

/** Only one version records a signature: nothing can be compared, which "Unchanged" would hide. */
function oneSidedSignature(has: string, lacks: string): string {
  return `Only ${has} records a signature; ${lacks} has none, so the two cannot be compared.`;
}

/** Both manifests as JSON, drawn when asked for: for large versions they are most of the page's text. */
function rawManifests(comparison: VersionComparison): HTMLElement {
  const holder = el('div', { class: 'versions' });
  const show = button('Show Raw Manifests', () => {
    holder.replaceChildren(el('pre', { class: 'manifest' }, JSON.stringify(comparison.manifests.before, null, 2)), el('pre', { class: 'manifest' }, JSON.stringify(comparison.manifests.after, null, 2)));
  }, true);
  // Draws what the page already holds: stays usable when the registry cannot be read.
  show.setAttribute('data-local', '');
  holder.appendChild(show);
  return holder;
}

/** Sorting redraws the metrics table alone: the rest of a large comparison stays as it is. */
function sortableMetrics(comparison: VersionComparison, context: PageContext): HTMLElement {
  const holder = el('div', { class: 'metrics-holder' });
  const draw = (view: ViewState, focus?: string) => {
    holder.replaceChildren(
      metricsTable(comparison.metrics, view.sort, view.changedOnly, (sort) => {
        const next = { ...view, sort };
        context.save(next);
        draw(next, sort.column);
      }),
    );
    // The table was rebuilt: keep the keyboard on the header that was used.
    if (focus) holder.querySelector<HTMLElement>(`button[data-column="${focus}"]`)?.focus();
  };
  draw(context.state);
  return holder;
}

export function renderVersion(page: VersionPage, context: PageContext): HTMLElement {
  const { details, events } = page;
  const { manifest } = details;
  const ref = `${details.model}/${details.number}`;
  const git = manifest.lineage.git;
  const { schemaVersion: _schema, artifacts, lineage, metrics, signature, source: _source, ...other } = manifest as typeof manifest & Record<string, unknown>;
  return el(
    'div',
    { class: 'page details', attrs: { 'data-page': ref } },
    el('h1', null, ref),
    el('p', null, versionLabel(details)),
    el('p', { class: 'muted' }, `${timeText(details.createdAt)} by ${details.createdBy} · ${page.uri}`),
    details.description ? el('p', null, details.description) : null,
    versionActions(ref, context, button('Metrics Chart', () => context.post({ type: 'showChart', ref }), true)),
    findingsSection(artifacts),
    governanceSection(ref, page.governance, context),
    section(
      'Artifacts',
      table(
        ['Path', 'Size', 'SHA-256', ''],
        artifacts,
        (artifact) => [artifact.path, formatBytes(artifact.size), el('code', null, artifact.sha256), button('Reveal', () => context.post({ type: 'revealArtifact', ref, path: artifact.path }), true)],
        'values',
      ),
    ),
    section(
      'Metrics',
      Object.keys(metrics).length === 0
        ? el('p', { class: 'muted' }, 'No metrics recorded.')
        : table(['Metric', 'Value', 'Better'], Object.entries(metrics), ([name, metric]) => [name, metric.value, metric.direction === 'max' ? 'higher' : metric.direction === 'min' ? 'lower' : ''], 'values'),
    ),
    section('Params', keyValues(Object.entries(lineage.params))),
    section('Lineage', el('p', null, 'Commit: ', commitLine(ref, git?.commit ?? null, context)), keyValues(Object.entries(flatten(git ?? {})))),
    section('Data', table(['Data', 'Kind', 'SHA-256', 'Size'], lineage.data, (data) => [data.uri, data.kind, data.sha256 ?? '', data.size === undefined ? '' : formatBytes(data.size)], 'values')),
    section('Environment', keyValues(Object.entries(flatten(lineage.environment)))),
    inspectionSection(artifacts),
    section(
      'Signature',
      signature === undefined ? el('p', { class: 'muted' }, 'No signature recorded.') : el('p', null, signatureOrigin(signatureSources(manifest))),
      signature === undefined ? null : el('pre', { class: 'manifest' }, JSON.stringify(signature, null, 2)),
    ),
    ...Object.entries(other).map(([key, value]) => section(key, el('pre', { class: 'manifest' }, JSON.stringify(value, null, 2)))),
    section('Events', table(['When', 'By', 'What', 'Reason'], events, (event) => [el('time', { attrs: { datetime: event.time } }, timeText(event.time)), event.actor, eventSentence(event), event.reason ?? ''], 'values')),
  );
}

type RecordedArtifact = VersionPage['details']['manifest']['artifacts'][number];

/** Security findings and unreadable files first on the page, so nobody loads a file without seeing them. */
function findingsSection(artifacts: RecordedArtifact[]): HTMLElement | null {
  const lines = artifacts.flatMap((artifact) => artifactWarningLines(artifact.path, artifact.inspection));
  if (lines.length === 0) return null;
  const security = artifacts.some((artifact) => (artifact.inspection?.findings.length ?? 0) > 0);
  const note = security ? FINDINGS_HEADING : 'Files that could not be read as the format they claim (their size and hash were recorded; the file was never executed)';
  const found = section('Findings', el('p', { class: 'finding-note' }, note), el('ul', { class: 'findings' }, ...lines.map((line) => el('li', null, line))));
  found.classList.add('findings-section');
  return found;
}

/** What the inspectors read from each file: format, parameters, operators and the rest of its summary. */
function inspectionSection(artifacts: RecordedArtifact[]): HTMLElement {
  const inspected = artifacts.filter((artifact) => artifact.inspection !== undefined);
  if (inspected.length === 0) return section('Inspection', el('p', { class: 'muted' }, 'No file of a known weight format.'));
  return section('Inspection', ...inspected.flatMap((artifact) => [el('h3', null, artifact.path), keyValues(inspectionFacts(artifact.inspection!))]));
}

function signatureOrigin(paths: string[]): string {
  return paths.length === 0 ? 'Where it was read from is not recorded.' : `Read from ${paths.join(', ')}.`;
}
