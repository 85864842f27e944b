import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CodeServer } from './codeServer';
import { VSIX, preparePackagedExtension } from './packagedExtension';
import { CODE_SERVER_VERSION, REPO_ROOT, ensureWorkbench } from './workbenchInstall';
import { WorkbenchPage } from './workbenchPage';

/**
 * Writes test/fixtures/webview/vscodeThemeColors.json: every `--vscode-*` variable VS Code puts on a
 * webview's <html> in its default dark, light and high-contrast themes, read from a real webview (a
 * Markdown preview) in code-server. The webview tests render our pages with exactly these values, so
 * a contrast check measures what users see. Run again after moving to a newer code-server:
 * `npx tsx test/vscode/captureThemeColors.ts`.
 */
export const THEME_COLORS_FILE = path.join(REPO_ROOT, 'test', 'fixtures', 'webview', 'vscodeThemeColors.json');

const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern', 'high-contrast': 'Default High Contrast' } as const;

async function main(): Promise<void> {
  const workbench = ensureWorkbench();
  await preparePackagedExtension();
  const root = mkdtempSync(path.join(tmpdir(), 'mr-theme-colors-'));
  const workspace = path.join(root, 'project');
  const home = path.join(root, 'code-server');
  const captured: Record<string, Record<string, string>> = {};
  try {
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'README.md'), '# Colours\n\nText.\n');
    const server = await CodeServer.start({ workbench, home, vsix: VSIX, workspace });
    const settingsFile = path.join(home, 'user-data', 'User', 'settings.json');
    const baseSettings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
    try {
      for (const [kind, theme] of Object.entries(THEMES)) {
        writeFileSync(settingsFile, JSON.stringify({ ...baseSettings, 'workbench.colorTheme': theme }));
        const page = await WorkbenchPage.open(workbench.chromium, server.folderUrl(workspace));
        try {
          await page.page.keyboard.press('Control+P');
          await page.quickInput().fill('README.md');
          await page.quickPickRow('README.md').waitFor();
          await page.page.keyboard.press('Enter');
          await page.page.locator('.monaco-editor').first().waitFor({ timeout: 60_000 });
          await page.runCommand('Markdown: Open Preview to the Side');
          captured[kind] = await readWebviewVariables(page);
          console.log(`${theme}: ${Object.keys(captured[kind]).length} variables`);
        } finally {
          await page.close();
        }
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  mkdirSync(path.dirname(THEME_COLORS_FILE), { recursive: true });
  writeFileSync(THEME_COLORS_FILE, `${JSON.stringify({ source: `code-server ${CODE_SERVER_VERSION}, ${Object.values(THEMES).join(', ')}`, themes: captured }, null, 2)}\n`);
  console.log(`Wrote ${THEME_COLORS_FILE}`);
}

/** The style attribute VS Code sets on the webview document's <html>, as name → value. */
async function readWebviewVariables(page: WorkbenchPage): Promise<Record<string, string>> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const frame of page.page.frames()) {
      const variables = await frame
        .evaluate(() => {
          const style = document.documentElement.style;
          const found: Record<string, string> = {};
          for (let index = 0; index < style.length; index++) {
            const name = style[index];
            if (name.startsWith('--vscode-')) found[name.slice('--vscode-'.length)] = style.getPropertyValue(name).trim();
          }
          return document.body?.classList.contains('vscode-body') || document.querySelector('.markdown-body') ? found : {};
        })
        .catch(() => ({}));
      if (Object.keys(variables).length > 100) return variables;
    }
    if (Date.now() > deadline) throw new Error('No webview with VS Code theme variables appeared within 60 s.');
    await page.page.waitForTimeout(500);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
