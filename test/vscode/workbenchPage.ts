import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT } from './workbenchInstall';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results');

/**
 * The workbench as a person sees it, in headless Chromium: open views, right-click, use the command
 * palette and quick inputs, answer dialogs, and take screenshots for a person to look at later.
 */
export class WorkbenchPage {
  private constructor(
    private readonly browser: Browser,
    readonly page: Page,
  ) {}

  static async open(chromiumPath: string, url: string): Promise<WorkbenchPage> {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    const page = await context.newPage();
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return new WorkbenchPage(browser, page);
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Waits until the status bar shows the registry's state: the extension is up. */
  async waitForRegistryStatus(text = 'Registry:'): Promise<void> {
    await this.page.locator('.statusbar-item', { hasText: text }).first().waitFor({ timeout: 60_000 });
  }

  /** Clicks an activity-bar entry (e.g. 'Model Registry', 'Explorer'). */
  async openContainer(title: string): Promise<void> {
    const entry = this.page.locator(`.activitybar .action-item a[aria-label^="${title}"], .activitybar .action-item [aria-label^="${title}"]`).first();
    await entry.waitFor({ timeout: 60_000 });
    const checked = await entry.evaluate((element) => element.closest('.action-item')?.classList.contains('checked') ?? false);
    if (!checked) await entry.click();
  }

  /** A pane of the side bar by its title (e.g. 'Models'). */
  pane(title: string): Locator {
    return this.page.locator('.pane').filter({ has: this.page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`, 'i') }) });
  }

  /** A row of a tree or list whose text starts with the label. */
  row(container: Locator, label: string): Locator {
    return container.locator('.monaco-list-row').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(label)}`) }).first();
  }

  /** Runs a command from the palette by its title, as a person types it. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    const input = this.quickInput();
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.quickPickRow(title).waitFor();
    await this.page.keyboard.press('Enter');
  }

  quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  /** The quick input's title, to know which step a multi-step flow is at. */
  quickInputTitle(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-title');
  }

  /**
   * Picks a quick-pick row by typing it into the filter and pressing Enter: a click waits for the
   * row to stand still, which it may not while the workbench relays out around the quick pick.
   */
  async chooseQuickPickRow(text: string): Promise<void> {
    await this.quickPickRow(text).waitFor();
    await this.quickInput().fill(text);
    await this.page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: text }).waitFor();
    await this.page.keyboard.press('Enter');
  }

  quickPickRow(text: string): Locator {
    return this.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: text }).first();
  }

  /**
   * Waits for a quick input step by its title, types the answer and accepts it. For a pick list, name
   * the row that typing should leave on top, so Enter is not pressed before the list has caught up.
   */
  async answer(titleContains: string, text: string, row?: string): Promise<void> {
    await this.page.locator('.quick-input-widget .quick-input-title', { hasText: titleContains }).waitFor();
    await this.quickInput().fill(text);
    if (row) await this.page.locator('.quick-input-widget .monaco-list-row.focused').filter({ hasText: row }).waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Clicks a button of the modal dialog that is showing. */
  async clickDialogButton(label: string): Promise<void> {
    const button = this.page.locator('.monaco-dialog-box .dialog-buttons a, .monaco-dialog-box .dialog-buttons button').filter({ hasText: label }).first();
    await button.waitFor();
    await button.click();
  }

  /** Right-clicks the row and chooses the context-menu entry. */
  async contextMenu(row: Locator, entry: string): Promise<void> {
    await row.click({ button: 'right' });
    const item = this.page.locator('.context-view .action-item .action-label, .monaco-menu .action-label').filter({ hasText: entry }).first();
    await item.waitFor();
    // Menus ignore a click that comes right after they open (it would be the right-click's release).
    await item.hover();
    await this.page.waitForTimeout(300);
    await item.click();
  }

  /**
   * The page inside the webview whose heading has the text. Each webview is an iframe holding the
   * page in an inner frame, and hidden ones stay in the DOM, so every frame is asked.
   */
  async webviewWithHeading(text: string, timeout = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeout;
    for (;;) {
      for (const frame of this.page.frames()) {
        if ((await frame.locator('h1', { hasText: text }).count().catch(() => 0)) > 0) return frame;
      }
      if (Date.now() > deadline) throw new Error(`No webview shows a heading '${text}' after ${timeout} ms.`);
      await this.page.waitForTimeout(250);
    }
  }

  /** A notification toast containing the text. */
  notification(text: string): Locator {
    return this.page.locator('.notification-toast, .notifications-center').filter({ hasText: text }).first();
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
