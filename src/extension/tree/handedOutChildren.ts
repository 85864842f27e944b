/**
 * The children a tree handed to VS Code since its last refresh, per parent node. Revealing needs
 * the very objects VS Code holds (a new object with a known id is refused), so each parent's
 * children are made once per refresh and handed out again until the next one.
 */
export class HandedOutChildren<Node extends { readonly id: string }> {
  private readonly byParent = new Map<string, Promise<Node[]>>();

  /** The children of `parent` (undefined: the top level) handed out in this refresh, made by `make` on first asking. */
  get(parent: Node | undefined, make: () => Promise<Node[]>): Promise<Node[]> {
    const key = parent ? `node:${parent.id}` : 'root';
    let children = this.byParent.get(key);
    if (!children) {
      children = make();
      this.byParent.set(key, children);
      children.catch(() => this.byParent.delete(key));
    }
    return children;
  }

  /** The tree refreshed: every parent's children are made afresh. */
  forget(): void {
    this.byParent.clear();
  }
}
