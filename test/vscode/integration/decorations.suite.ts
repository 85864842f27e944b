import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { eventually, host } from './host';

describe('Registered file decorations', () => {
  it('marks a registered file, and marks it changed once its content changes', async () => {
    const { vscode } = host;
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, 'models', 'decorated.onnx');
    writeFileSync(file, Buffer.alloc(4096, 3));
    const uri = vscode.Uri.file(file);
    const decorations = host.extension.decorations;
    assert.equal(decorations.provideFileDecoration(uri), undefined, 'not registered yet');
    await vscode.commands.executeCommand('modelRegistry.registerVersion', { model: 'decorated', paths: [file] });
    const registered = decorations.provideFileDecoration(uri);
    assert.equal(registered?.badge, '◆');
    assert.match(String(registered?.tooltip), /Registered as decorated\/1/);
    appendFileSync(file, 'changed');
    await eventually(() => assert.equal(decorations.provideFileDecoration(uri)?.badge, '◇'), 'the changed mark');
    assert.match(String(decorations.provideFileDecoration(uri)?.tooltip), /Changed since it was registered as decorated\/1/);
  });
});
