import * as vscode from 'vscode';
import type { WorkOptions } from '../../core/workOptions';
import { formatBytes } from '../../core/textReports';

/**
 * Long registry work (hashing, copying, verifying) in a notification with a percentage and a Cancel
 * button; cancelling aborts the work, which the registry undoes.
 */
export function runWithProgress<T>(title: string, work: (options: WorkOptions) => Promise<T>): Promise<T> {
  return Promise.resolve(
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      try {
        return await work({
          signal: controller.signal,
          onProgress: (done, total, item) => {
            const percent = total > 0 ? (done / total) * 100 : 0;
            progress.report({ increment: percent - reported, message: `${item} (${formatBytes(done)} of ${formatBytes(total)})` });
            reported = percent;
          },
        });
      } finally {
        subscription.dispose();
      }
    }),
  );
}
