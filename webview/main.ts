import { isHostMessage, isPageData, type PageData, type WebviewMessage } from '../src/extension/webviews/protocol';
import { el } from './dom';
import { renderAuditLog } from './auditLog';
import { renderLineage } from './lineagePage';
import { renderChart } from './metricsChart';
import { answerOverview, renderOverview } from './overviewPage';
import { renderColumns } from './versionColumns';
import { renderComparison, renderVersion, type PageContext, type ViewState } from './pages';
import { registerUiComponents } from './uiComponents';
import './styles.css';

/** Entry of the webview bundle: shows a version or a comparison the extension sends, and posts the person's actions back. */
interface SavedState {
  page: PageData | null;
  view: ViewState;
}

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root') ?? document.body;
const DEFAULT_VIEW: ViewState = { sort: { column: 'name', descending: false }, changedOnly: false, chartMetrics: null, logFilter: '' };

function restore(): SavedState {
  const saved = vscode.getState() as Partial<SavedState> | undefined;
  const view = { ...DEFAULT_VIEW, ...(saved?.view ?? {}) };
  if (!Array.isArray(view.chartMetrics) || !view.chartMetrics.every((name) => typeof name === 'string')) view.chartMetrics = null;
  if (typeof view.logFilter !== 'string') view.logFilter = '';
  return { page: saved && isPageData(saved.page) ? saved.page : null, view };
}

let current = restore();

function post(message: WebviewMessage): void {
  vscode.postMessage(message);
}

function render(): void {
  vscode.setState(current);
  const { page } = current;
  if (!page) return;
  const context: PageContext = {
    get state() {
      return current.view;
    },
    post,
    update: (view) => {
      current = { ...current, view };
      render();
    },
    save: (view) => {
      current = { ...current, view };
      vscode.setState(current);
    },
  };
  const content =
    page.kind === 'comparison'
      ? renderComparison(page.comparison, context)
      : page.kind === 'chart'
        ? renderChart(page.history, { metrics: current.view.chartMetrics }, (chart) => context.save({ ...context.state, chartMetrics: chart.metrics }))
        : page.kind === 'columns'
          ? renderColumns(page.columns, context)
          : page.kind === 'log'
            ? renderAuditLog(page, context)
            : page.kind === 'overview'
              ? renderOverview(page, post)
              : page.kind === 'lineage'
                ? renderLineage(page, post)
                : renderVersion(page, context);
  root.replaceChildren(content);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isHostMessage(message)) return;
  if (message.type === 'notice') {
    // The registry could not be read: what the page shows may be gone or changed, so nothing on it may act.
    const disabled = disableActions(root);
    root.prepend(el('p', { class: 'notice', attrs: { role: 'status' } }, message.text, disabled > 0 ? ' The page shows what was last read; its actions are off until the registry can be read again.' : ''));
    return;
  }
  if (message.type !== 'show') {
    answerOverview(message);
    return;
  }
  current = { ...current, page: message.page };
  render();
});

/** Turns off every control that asks the extension to act; returns how many were on. */
function disableActions(container: HTMLElement): number {
  const controls = Array.from(container.querySelectorAll<HTMLElement>('vscode-button:not([data-local]):not([disabled])'));
  for (const control of controls) {
    control.setAttribute('disabled', '');
    control.setAttribute('aria-disabled', 'true');
  }
  return controls.length;
}

registerUiComponents();
render();
post({ type: 'ready' });
