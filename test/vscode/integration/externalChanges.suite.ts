import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, host } from './host';

describe('Changes made outside the editor', () => {
  it('refreshes the views when mreg registers a version in a terminal', async () => {
    const { vscode } = host;
    const cli = process.env.MODEL_REGISTRY_TEST_CLI;
    assert.ok(cli, 'MODEL_REGISTRY_TEST_CLI names the built mreg');
    const root = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const file = path.join(root, 'models', 'from-terminal.onnx');
    writeFileSync(file, Buffer.alloc(8192, 5));
    let fired = 0;
    const subscription = host.extension.modelsTree.onDidChangeTreeData(() => fired++);
    try {
      execFileSync(process.execPath, [cli, 'register', 'terminal-model', file], { cwd: root, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
      await eventually(async () => {
        const names = (await host.extension.modelsTree.getChildren()).map((node) => String(node.toTreeItem().label));
        assert.ok(names.includes('terminal-model'), `tree lists ${names.join(', ')}`);
      }, 'the tree shows the model registered by mreg');
      assert.ok(fired > 0, 'the tree was told to refresh');
    } finally {
      subscription.dispose();
    }
  });
});
