import type * as vscode from 'vscode';
import type { TreeNode } from './treeNode';

/**
 * Remembers which nodes a person expanded, per workspace, so the tree opens as it was left after a
 * refresh or a reload of the window.
 */
export class ExpansionMemory {
  private readonly expanded: Set<string>;

  constructor(
    private readonly state: vscode.Memento,
    private readonly key: string,
  ) {
    this.expanded = new Set(state.get<string[]>(key, []));
  }

  isExpanded = (id: string): boolean => this.expanded.has(id);

  track(view: vscode.TreeView<TreeNode>): vscode.Disposable[] {
    return [
      view.onDidExpandElement((event) => this.remember(event.element.id, true)),
      view.onDidCollapseElement((event) => this.remember(event.element.id, false)),
    ];
  }

  /** Also for nodes the extension expands itself (revealing a version), so a refresh keeps them open. */
  remember(id: string, expanded: boolean): void {
    if (expanded) this.expanded.add(id);
    else this.expanded.delete(id);
    void this.state.update(this.key, [...this.expanded]);
  }
}
