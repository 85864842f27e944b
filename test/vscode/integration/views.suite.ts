import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as vscode from 'vscode';
import type { TreeNode } from '../../../src/extension/tree/treeNode';
import { eventually, host, mregAs } from './host';

async function labels(provider: vscode.TreeDataProvider<TreeNode>, node?: TreeNode): Promise<{ node: TreeNode; label: string; description: string }[]> {
  const children = (await provider.getChildren(node)) ?? [];
  return children.map((child) => {
    const item = child.toTreeItem();
    return { node: child, label: String(typeof item.label === 'object' ? item.label.label : item.label), description: String(item.description ?? '') };
  });
}

/** A hover's markdown as a person reads it: appendText escapes spaces and punctuation. */
function shownText(markdown: string): string {
  return markdown.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
}

describe('Model Registry views', () => {
  it('lists models, and versions newest first with semver and stage', async () => {
    const tree = host.extension.modelsTree;
    const models = await eventually(async () => {
      const rows = await labels(tree);
      assert.ok(rows.some((row) => row.label === 'fraud-detector'), 'fraud-detector listed');
      return rows;
    }, 'models view');
    const model = models.find((row) => row.label === 'fraud-detector')!;
    const versions = await labels(tree, model.node);
    assert.deepEqual(versions.slice(-2).map((row) => row.label), ['#2', '#1']);
    assert.match(versions.find((row) => row.label === '#1')!.description, /v1\.0\.0/);
  });

  it("shows a version's artifacts, metrics, params, lineage, data and events", async () => {
    const tree = host.extension.modelsTree;
    const [model] = (await labels(tree)).filter((row) => row.label === 'fraud-detector');
    const version = (await labels(tree, model.node)).find((row) => row.label === '#1')!;
    const sections = await labels(tree, version.node);
    assert.deepEqual(sections.map((row) => row.label), ['Artifacts', 'Metrics', 'Params', 'Lineage', 'Data', 'Events']);
    const artifacts = await labels(tree, sections[0].node);
    assert.deepEqual(artifacts.map((row) => row.label).sort(), ['fraud-v1.onnx', 'tokenizer/vocab.json']);
    assert.match(artifacts[0].description, /KiB|B · [0-9a-f]{12}$/);
    const metrics = await labels(tree, sections[1].node);
    // auc given on the command line; latency_ms discovered in the workspace's metrics.json.
    assert.deepEqual(metrics.map((row) => [row.label, row.description]), [
      ['auc', '0.91 (higher is better)'],
      ['latency_ms', '11'],
    ]);
    const lineage = await labels(tree, sections[3].node);
    assert.ok(lineage.some((row) => row.label === 'commit' && /^[0-9a-f]{40}$/.test(row.description)), 'the git commit is shown');
    const events = await labels(tree, sections[5].node);
    assert.ok(events.some((row) => /^Registered fraud-detector\/1/.test(String(row.label))), 'events read as sentences');
  });

  it('marks a version and its files with findings: warning icon, a count in the row, the lines on hover', async () => {
    const root = host.vscode.workspace.workspaceFolders![0].uri.fsPath;
    // A protocol-2 pickle whose load would call posix.system('touch pwned'), and an .onnx that is not ONNX.
    writeFileSync(path.join(root, 'models', 'churn.pkl'), Buffer.from('\x80\x02cposix\nsystem\nq\x00X\x0b\x00\x00\x00touch pwnedq\x01\x85q\x02Rq\x03.', 'latin1'));
    writeFileSync(path.join(root, 'models', 'churn.onnx'), Buffer.from('not a protobuf at all'));
    mregAs('alice@example.com', ['register', 'churn', path.join('models', 'churn.pkl'), path.join('models', 'churn.onnx')]);
    const tree = host.extension.modelsTree;
    const listed = (name: string) =>
      eventually(async () => {
        const found = (await labels(tree)).find((row) => row.label === name);
        assert.ok(found, `${name} listed`);
        return found;
      }, `${name}, registered in a terminal, appears`);
    const model = await listed('churn');
    const [version] = await labels(tree, model.node);
    const item = version.node.toTreeItem();
    assert.match(version.description, /2 warnings/);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    const hover = shownText((version.node.tooltip() as vscode.MarkdownString).value);
    assert.match(hover, /HIGH churn\.pkl: .*posix\.system/);
    assert.match(hover, /churn\.onnx: not a readable onnx file/);

    const [artifactsSection] = await labels(tree, version.node);
    const artifacts = await labels(tree, artifactsSection.node);
    const pickle = artifacts.find((row) => row.label === 'churn.pkl')!;
    assert.match(pickle.description, /· 1 warning$/);
    const pickleItem = pickle.node.toTreeItem();
    assert.equal((pickleItem.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.match(shownText((pickleItem.tooltip as vscode.MarkdownString).value), /HIGH churn\.pkl: .*posix\.system/);

    // A version without findings keeps its stage icon and says nothing.
    mregAs('alice@example.com', ['register', 'clean-vocab', path.join('models', 'tokenizer', 'vocab.json')]);
    const clean = await listed('clean-vocab');
    const [cleanVersion] = await labels(tree, clean.node);
    assert.doesNotMatch(cleanVersion.description, /warning/);
    assert.notEqual((cleanVersion.node.toTreeItem().iconPath as vscode.ThemeIcon).id, 'warning');
    assert.doesNotMatch((cleanVersion.node.tooltip() as vscode.MarkdownString).value, /never executed/);
  });

  it('groups versions by stage in the Stages view', async () => {
    const stages = await labels(host.extension.stagesTree);
    assert.deepEqual(stages.map((row) => row.label), ['Production', 'Staging', 'Archived']);
    const production = await labels(host.extension.stagesTree, stages[0].node);
    assert.ok(production.some((row) => row.label.startsWith('fraud-detector/')));
  });

  it('filters the tree by text, down to matching versions', async () => {
    const { vscode } = host;
    await vscode.commands.executeCommand('modelRegistry.filterTree', 'v1.0.0');
    try {
      const models = await labels(host.extension.modelsTree);
      assert.deepEqual(models.map((row) => row.label), ['fraud-detector']);
      const versions = await labels(host.extension.modelsTree, models[0].node);
      assert.deepEqual(versions.map((row) => row.label), ['#1']);
      await vscode.commands.executeCommand('modelRegistry.filterTree', 'no-such-thing');
      assert.deepEqual(await labels(host.extension.modelsTree), []);
    } finally {
      await vscode.commands.executeCommand('modelRegistry.clearFilter');
    }
    assert.ok((await labels(host.extension.modelsTree)).length >= 1);
  });

  it('filters the tree with a search query, and treats a plain word as text', async () => {
    const { vscode } = host;
    const query = "stage = 'Production' OR created_by LIKE '%'  AND version = 1";
    assert.equal(await vscode.commands.executeCommand('modelRegistry.filterTree', query), 'query');
    try {
      const registry = await host.extension.session.get();
      const expected = registry.search(query).map((hit) => `${hit.model} #${hit.number}`).sort();
      const shown: string[] = [];
      for (const model of await labels(host.extension.modelsTree)) {
        for (const version of await labels(host.extension.modelsTree, model.node)) shown.push(`${model.label} ${version.label}`);
      }
      assert.ok(expected.length > 0);
      assert.deepEqual(shown.sort(), expected);
      assert.equal(await vscode.commands.executeCommand('modelRegistry.filterTree', 'fraud'), 'text');
    } finally {
      await vscode.commands.executeCommand('modelRegistry.clearFilter');
    }
  });
});
