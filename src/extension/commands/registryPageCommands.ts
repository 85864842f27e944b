import { formatRef } from '../../core/refs';
import { CommandIds } from '../commandIds';
import { pickVersion } from '../flows/versionPicker';
import { DataEntryNode } from '../tree/dataEntryNode';
import { ModelNode } from '../tree/modelNode';
import { VersionNode } from '../tree/versionNode';
import type { CommandContext, CommandTable } from './commandContext';

/** The registry-wide pages: the overview table of every model, and the lineage graph. */
export function registryPageCommands(context: CommandContext): CommandTable {
  return {
    [CommandIds.showOverview]: () => {
      context.versionPanels.showOverview();
      return 'overview';
    },
    // A version node (its version), a model node (its versions), a data entry under a version, a subject as text (a ref, a model,
    // data:sha256:…), or a version asked for.
    [CommandIds.showLineage]: async (clicked) => {
      let subject: string | undefined;
      if (clicked instanceof VersionNode) subject = formatRef(clicked.version.model, clicked.version.number);
      else if (clicked instanceof ModelNode) subject = clicked.model.name;
      else if (clicked instanceof DataEntryNode) subject = clicked.lineageSubject;
      else if (typeof clicked === 'string' && clicked.trim()) subject = clicked.trim();
      else {
        const version = await pickVersion(await context.session.get(), 'Show Lineage');
        subject = version && formatRef(version.model, version.number);
      }
      if (!subject) return undefined;
      // Built before the panel opens, so a subject that names nothing is an error message, not an empty page.
      (await context.session.get()).lineage(subject);
      context.versionPanels.showLineage(subject);
      return subject;
    },
  };
}
