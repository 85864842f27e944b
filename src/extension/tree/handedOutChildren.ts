/**
 * The children a tree handed to VS Code since its last refresh, per parent node. Revealing needs
 * the very objects VS Code holds (a new object with a known id is refused), so each parent's
 * children are made once per refresh and handed out again until the next one.
 *
 * Kept per parent object, not per parent id: right after a refresh VS Code may still ask about an
 * expanded node it holds from before it (by its handle, before it has fetched the top level again).
 * Children made from that old node carry what it knew then (a version's "pending sync" mark, say);
 * kept under the id, they would be what the refreshed node of that id hands out until the next refresh.
 */
export class HandedOutChildren<Node extends object> {
  private topLevel: Promise<Node[]> | undefined;
  private byParent = new WeakMap<Node, Promise<Node[]>>();

  /** The children of `parent` (undefined: the top level) handed out in this refresh, made by `make` on first asking. */
  get(parent: Node | undefined, make: () => Promise<Node[]>): Promise<Node[]> {
    const known = parent ? this.byParent.get(parent) : this.topLevel;
    if (known) return known;
    const children = make();
    this.remember(parent, children);
    children.catch(() => {
      // Made again on the next asking, unless a refresh or a newer making took the place already.
      if ((parent ? this.byParent.get(parent) : this.topLevel) === children) this.remember(parent, undefined);
    });
    return children;
  }

  /** The tree refreshed: every parent's children are made afresh. */
  forget(): void {
    this.topLevel = undefined;
    this.byParent = new WeakMap();
  }

  private remember(parent: Node | undefined, children: Promise<Node[]> | undefined): void {
    if (!parent) this.topLevel = children;
    else if (children) this.byParent.set(parent, children);
    else this.byParent.delete(parent);
  }
}
