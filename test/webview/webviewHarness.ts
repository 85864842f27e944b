import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { HostMessage, WebviewMessage } from '../../src/extension/webviews/protocol';
import { webviewHtml } from '../../src/extension/webviews/webviewHtml';
import { CHROMIUM } from '../vscode/workbenchInstall';
import { SCREENSHOT_DIR } from '../vscode/workbenchPage';

/** The built webview bundle, as the extension ships it. */
const BUNDLE = path.resolve(__dirname, '..', '..', 'dist', 'webview');

export type Theme = 'light' | 'dark' | 'high-contrast';

/**
 * What VS Code puts on a webview's <html> in its default Dark Modern, Light Modern and High Contrast
 * themes: every `--vscode-*` variable, captured from a real webview by test/vscode/captureThemeColors.ts.
 * The body class names the theme kind, as VS Code's does.
 */
export const THEMES: Record<Theme, Record<string, string>> = (
  JSON.parse(readFileSync(path.resolve(__dirname, '..', 'fixtures', 'webview', 'vscodeThemeColors.json'), 'utf8')) as { themes: Record<Theme, Record<string, string>> }
).themes;

/** What the stand-in for VS Code's webview API recorded inside the page. */
interface Recorded {
  posted: WebviewMessage[];
  state: unknown;
  violations: string[];
}

/**
 * The webview bundle in headless Chromium, served from file:// under the same HTML and content
 * security policy the extension uses, with a stand-in `acquireVsCodeApi` that records what the
 * page posts and keeps its saved state.
 */
export class WebviewHarness {
  private readonly folder = mkdtempSync(path.join(tmpdir(), 'mr-webview-'));
  /** Uncaught errors in any page, for the tests to assert there were none. */
  readonly errors: string[] = [];

  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<WebviewHarness> {
    if (!existsSync(path.join(BUNDLE, 'main.js'))) throw new Error(`The webview bundle is missing at ${BUNDLE}: run npm run build first.`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--allow-file-access-from-files'] });
    return new WebviewHarness(browser);
  }

  /** Opens the page in a theme; `state` is what getState() returns, as after the panel was hidden. */
  async open(theme: Theme = 'dark', state?: unknown): Promise<Page> {
    const html = path.join(this.folder, 'index.html');
    writeFileSync(
      html,
      webviewHtml({ cspSource: 'file:', scriptUri: pathToFileURL(path.join(BUNDLE, 'main.js')).href, styleUri: pathToFileURL(path.join(BUNDLE, 'main.css')).href, title: 'test' }),
    );
    const context = await this.browser.newContext({ viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    // A string, not a function: the test runner's transpiler would add helpers the page does not have.
    await page.addInitScript(`(() => {
      const recorded = { posted: [], state: ${JSON.stringify(state ?? null)}, violations: [] };
      window.__recorded = recorded;
      window.acquireVsCodeApi = () => ({
        postMessage: (message) => recorded.posted.push(JSON.parse(JSON.stringify(message))),
        getState: () => recorded.state ?? undefined,
        setState: (value) => { recorded.state = JSON.parse(JSON.stringify(value)); },
      });
      document.addEventListener('securitypolicyviolation', (event) => recorded.violations.push(event.violatedDirective + ' ' + event.blockedURI));
      document.addEventListener('DOMContentLoaded', () => {
        for (const [name, value] of Object.entries(${JSON.stringify(THEMES[theme])})) document.documentElement.style.setProperty('--vscode-' + name, value);
        document.body.classList.add(${JSON.stringify(`vscode-${theme}`)});
      });
    })();`);
    page.on('pageerror', (error) => this.errors.push(error.message));
    await page.goto(pathToFileURL(html).href);
    // Polled from outside: waitForFunction would need eval, which the page's policy forbids.
    const deadline = Date.now() + 20_000;
    while (!(await WebviewHarness.recorded(page)).posted.some((message) => message.type === 'ready')) {
      if (Date.now() > deadline) throw new Error('The page never posted ready.');
      await page.waitForTimeout(50);
    }
    return page;
  }

  static async send(page: Page, message: HostMessage | unknown): Promise<void> {
    await page.evaluate((data) => window.postMessage(data, '*'), message);
  }

  static async recorded(page: Page): Promise<Recorded> {
    return page.evaluate(() => (window as unknown as { __recorded: Recorded }).__recorded);
  }

  /**
   * What a page holds that could run or load something: after rendering hostile strings, no script
   * ran (`pwned` unset), and there is one script (the bundle), no image, frame, javascript: link or
   * event-handler attribute. `text` is what the page shows, to check the strings came out as text.
   */
  static async injectionTraces(page: Page): Promise<{ pwned: unknown; images: number; iframes: number; scripts: number; javascriptLinks: number; handlers: number; text: string }> {
    return page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      images: document.querySelectorAll('img').length,
      iframes: document.querySelectorAll('iframe').length,
      scripts: document.querySelectorAll('script').length,
      javascriptLinks: document.querySelectorAll('[href^="javascript:" i], [src^="javascript:" i]').length,
      handlers: Array.from(document.querySelectorAll('*')).filter((element) => Array.from(element.attributes).some((attribute) => attribute.name.startsWith('on'))).length,
      text: document.body.innerText,
    }));
  }

  /** Fails unless the page's injection traces are all clear and each string shows as text. */
  async assertInert(page: Page, shownAsText: string[]): Promise<void> {
    await page.waitForTimeout(200);
    const result = await WebviewHarness.injectionTraces(page);
    assert.equal(result.pwned, undefined, 'no injected script ran');
    assert.deepEqual([result.images, result.iframes, result.scripts, result.javascriptLinks, result.handlers], [0, 0, 1, 0, 0], 'images, frames, scripts, javascript: links, handler attributes');
    for (const text of shownAsText) assert.ok(result.text.includes(text), `shown as text: ${text}`);
    assert.deepEqual(this.errors, []);
  }

  static async screenshot(page: Page, name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  async close(): Promise<void> {
    await this.browser.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/**
 * A browser for one mocha suite: launched before its tests, closed after them, and every page a
 * test opened closed after that test.
 */
export function useWebviewHarness(): { harness(): WebviewHarness; open(theme?: Theme, state?: unknown): Promise<Page> } {
  let harness: WebviewHarness | undefined;
  const pages: Page[] = [];
  before(async () => {
    harness = await WebviewHarness.launch();
  });
  after(async () => harness?.close());
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.context().close();
  });
  const launched = () => {
    if (!harness) throw new Error('The browser is not launched yet.');
    return harness;
  };
  return {
    harness: launched,
    open: async (theme, state) => {
      const page = await launched().open(theme, state);
      pages.push(page);
      return page;
    },
  };
}
