import * as vscode from 'vscode';
import type { MetricDirection } from '../../core/manifest';
import { ownValue, setOwn, userKeyedRecord } from '../../core/userKeyedRecord';
import type { StepTitles } from './stepTitles';

/** Names that, by convention, are better when lower: a pre-selection only, the person decides. */
const LOWER_IS_BETTER = /(loss|error|err|mse|mae|rmse|latency|time|perplexity|wer|cer|fpr|fnr|size|cost)(_|$)/i;

/**
 * Asks which way is better for metrics no setting or earlier version states it, so comparisons can
 * give a verdict and mark the best: one multi-select for "higher is better", one for "lower is
 * better" among the rest (unchosen: no direction). The answers are written to the workspace's
 * `modelRegistry.metricDirections` setting, so the next registration asks only about new metrics.
 * Resolves to the directions of all `metrics` known after the step, undefined when cancelled.
 */
export async function askMetricDirections(
  metrics: readonly string[],
  known: Record<string, MetricDirection>,
  steps: StepTitles,
): Promise<Record<string, MetricDirection> | undefined> {
  const directions = userKeyedRecord(Object.entries(known));
  const unknown = metrics.filter((metric) => ownValue(directions, metric) === undefined);
  if (unknown.length === 0) {
    steps.skip();
    steps.skip();
    return directions;
  }
  const higher = await vscode.window.showQuickPick(
    unknown.map((metric) => ({ label: metric, picked: !LOWER_IS_BETTER.test(metric) })),
    { title: steps.next('which metrics are better when higher?'), placeHolder: 'Tick the metrics where a higher value is better (auc, accuracy, f1…); the rest are asked next', canPickMany: true, ignoreFocusOut: true },
  );
  if (higher === undefined) return undefined;
  for (const item of higher) setOwn(directions, item.label, 'max');
  const rest = unknown.filter((metric) => !higher.some((item) => item.label === metric));
  if (rest.length === 0) steps.skip();
  else {
    const lower = await vscode.window.showQuickPick(
      rest.map((metric) => ({ label: metric, picked: LOWER_IS_BETTER.test(metric) })),
      { title: steps.next('which metrics are better when lower?'), placeHolder: 'Tick the metrics where a lower value is better (loss, latency…); unticked ones get no direction', canPickMany: true, ignoreFocusOut: true },
    );
    if (lower === undefined) return undefined;
    for (const item of lower) setOwn(directions, item.label, 'min');
  }
  await remember(unknown, directions);
  return directions;
}

/** Adds the answers to the workspace setting (a failure to write it costs only a question next time). */
async function remember(asked: readonly string[], directions: Record<string, MetricDirection>): Promise<void> {
  const config = vscode.workspace.getConfiguration('modelRegistry');
  const saved = { ...(config.inspect<Record<string, MetricDirection>>('metricDirections')?.workspaceValue ?? {}) };
  let changed = false;
  for (const metric of asked) {
    const direction = ownValue(directions, metric);
    if (direction) {
      setOwn(saved, metric, direction);
      changed = true;
    }
  }
  if (!changed || !vscode.workspace.workspaceFolders?.length) return;
  await Promise.resolve(config.update('metricDirections', saved, vscode.ConfigurationTarget.Workspace)).catch(() => undefined);
}
