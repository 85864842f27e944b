import assert from 'node:assert/strict';
import { HandedOutChildren } from '../../../../src/extension/tree/handedOutChildren';

/** A tree node as the Models view makes them: what it shows is fixed when it is made (a version's "pending sync" mark). */
class Node {
  constructor(
    readonly id: string,
    readonly pendingSync: boolean,
  ) {}
}

describe('the children a tree hands out between refreshes', () => {
  /** The registry as the tree reads it: version 2 of one model, pending sync or not. */
  let pendingNow = false;
  const topLevel = () => Promise.resolve([new Node('model:synced-model', pendingNow)]);
  const versionsOf = (model: Node) => () => Promise.resolve([new Node('version:synced-model/2', model.pendingSync)]);

  beforeEach(() => {
    pendingNow = false;
  });

  it('hands out the very same objects for a parent until the next refresh, new ones after it', async () => {
    const children = new HandedOutChildren<Node>();
    const [model] = await children.get(undefined, topLevel);
    const first = await children.get(model, versionsOf(model));
    assert.equal(await children.get(undefined, topLevel).then(([again]) => again), model);
    assert.equal((await children.get(model, versionsOf(model)))[0], first[0]);
    children.forget();
    const [refreshed] = await children.get(undefined, topLevel);
    assert.notEqual(refreshed, model);
    assert.notEqual((await children.get(refreshed, versionsOf(refreshed)))[0], first[0]);
  });

  it('does not hand the refreshed parent the children VS Code asked of the parent it still held from before the refresh', async () => {
    const children = new HandedOutChildren<Node>();
    // VS Code holds the model node from before the version became pending sync...
    const [before] = await children.get(undefined, topLevel);
    await children.get(before, versionsOf(before));
    // ...a registration marks it pending and refreshes the tree...
    pendingNow = true;
    children.forget();
    // ...and VS Code, re-rendering the expanded model, asks about the node it holds by its handle
    // before it has fetched the top level again.
    const stale = await children.get(before, versionsOf(before));
    assert.equal(stale[0].pendingSync, false, 'made from what the old node knew');
    // The refreshed top level, and the children of its model node as the view and reveal get them.
    const [after] = await children.get(undefined, topLevel);
    assert.equal(after.pendingSync, true);
    const shown = await children.get(after, versionsOf(after));
    assert.equal(shown[0].pendingSync, true, 'the version row says pending sync');
  });

  it('makes the children again after making them failed', async () => {
    const children = new HandedOutChildren<Node>();
    await assert.rejects(children.get(undefined, () => Promise.reject(new Error('the registry is not open yet'))));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((await children.get(undefined, topLevel)).length, 1);
  });
});
