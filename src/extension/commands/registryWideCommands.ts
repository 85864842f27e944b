import * as vscode from 'vscode';
import { integrityText, repairText } from '../../registry/registryReports';
import { CommandIds } from '../commandIds';
import { askForFilter } from '../flows/filterInput';
import { runWithProgress } from '../flows/progress';
import { requireTrust } from '../errorReporting';
import { ModelNode } from '../tree/modelNode';
import { filterFor } from '../tree/versionFilter';
import { VersionNode } from '../tree/versionNode';
import type { CommandContext, CommandTable } from './commandContext';
import { plural } from '../../core/plural';

/** Commands about the whole registry: audit log, integrity, refresh, filter, settings, status menu. */
export function registryWideCommands(context: CommandContext): CommandTable {
  const { session, output, modelsTree, statusBar, sync, versionPanels } = context;

  return {
    [CommandIds.showLog]: async (node) => {
      const model = node instanceof ModelNode ? node.model.name : node instanceof VersionNode ? node.version.model : undefined;
      // A page, not a text document: a table of sentences with a filter, which no 200-column text is.
      return versionPanels.showLog(model);
    },
    [CommandIds.verifyIntegrity]: async () => {
      const registry = await session.get();
      const report = await runWithProgress('Verifying the registry', (work) => registry.verify(work));
      output.info(integrityText(report));
      if (report.problems.length === 0) {
        void vscode.window.showInformationMessage(`Registry verified: ${report.events} events and ${report.blobs} blobs, no problems.`);
      } else {
        output.show(true);
        void vscode.window.showErrorMessage(`Registry verification found ${plural(report.problems.length, 'problem')}; the Model Registry output lists them.`);
      }
      return report;
    },
    [CommandIds.repairRegistry]: async () => {
      if (!requireTrust('Repairing the registry')) return undefined;
      const registry = await session.get();
      const detail = registry.damage ? registry.damage.message : 'The op log looks sound; repair will check it and change nothing if it is.';
      const confirmed = await vscode.window.showWarningMessage('Repair the registry?', { modal: true, detail: `${detail}\n\nThe damaged file is kept aside; what cannot be recovered is listed.` }, 'Repair');
      if (confirmed !== 'Repair') return undefined;
      const report = await runWithProgress('Repairing the registry', () => registry.repair());
      output.info(repairText(report));
      if (!report.repaired) void vscode.window.showInformationMessage('The op log is sound; nothing to repair.');
      else {
        output.show(true);
        const lost = report.lost.length === 0 ? 'nothing is lost' : `${plural(report.lost.length, 'item')} could not be recovered (listed in the output)`;
        void vscode.window.showInformationMessage(`Registry repaired: ${plural(report.restored.length, 'version')} restored, ${plural(report.rechained, 'change')} re-chained; ${lost}.`);
      }
      return report;
    },
    [CommandIds.showOutput]: () => output.show(true),
    [CommandIds.refresh]: () => session.reload(),
    [CommandIds.syncNow]: async () => {
      if (!requireTrust('Syncing')) return undefined;
      await session.get();
      const result = await runWithProgress('Syncing with the shared store', (work) => sync.syncNow(work));
      if (!result) {
        void vscode.window.showInformationMessage('This registry has no shared store. Set one in a terminal with: mreg store set <folder or s3://bucket/prefix>');
        return undefined;
      }
      void vscode.window.showInformationMessage(`Synced: pulled ${plural(result.pulledEvents, 'change')}, pushed ${plural(result.pushedEvents, 'change')} and ${plural(result.uploadedBlobs, 'file')}.`);
      return result;
    },
    [CommandIds.filterTree]: async (text) => {
      const registry = await session.get();
      const value = typeof text === 'string' ? text : await askForFilter(registry, modelsTree.activeFilter?.text);
      if (value === undefined) return undefined;
      const filter = filterFor(registry, value);
      modelsTree.setFilter(filter);
      return filter?.kind;
    },
    [CommandIds.clearFilter]: () => modelsTree.setFilter(undefined),
    [CommandIds.openSettings]: () => vscode.commands.executeCommand('workbench.action.openSettings', '@ext:model-registry.model-registry'),
    [CommandIds.showStatusMenu]: () => statusBar.showMenu(),
  };
}
