import type { Page } from 'playwright-core';
import type { WebviewMessage } from '../../src/extension/webviews/protocol';
import { overviewFilter, overviewVersions } from '../../src/extension/webviews/registryPageAnswers';
import { isRegistryPageRequest } from '../../src/extension/webviews/registryPagesProtocol';
import type { Registry } from '../../src/registry/registry';
import { WebviewHarness } from './webviewHarness';

/**
 * Plays the extension's part for the overview and lineage pages: answers what the page asks (a
 * filter, a model's versions) with the extension's own answering code over a real registry, and
 * keeps the rest (open, compare, promote, lineage) for the test to check.
 */
export class RegistryPageHost {
  private answered = 0;
  /** Requests the extension would turn into commands, in order. */
  readonly commands: WebviewMessage[] = [];

  constructor(
    private readonly page: Page,
    private readonly registry: Registry,
  ) {}

  /** Answers everything posted since the last call; returns how many messages it handled. */
  async answer(): Promise<number> {
    const { posted } = await WebviewHarness.recorded(this.page);
    const fresh = posted.slice(this.answered);
    this.answered = posted.length;
    for (const message of fresh) {
      if (!isRegistryPageRequest(message) && message.type !== 'promote') continue;
      if (message.type === 'filterOverview') await WebviewHarness.send(this.page, overviewFilter(this.registry, message.text));
      else if (message.type === 'expandModel') await WebviewHarness.send(this.page, overviewVersions(this.registry, message.model));
      else this.commands.push(message);
    }
    return fresh.length;
  }

  /** Answers until the page has posted nothing new for a few rounds (debounced filters included). */
  async settle(): Promise<void> {
    let quiet = 0;
    while (quiet < 6) {
      await this.page.waitForTimeout(60);
      quiet = (await this.answer()) === 0 ? quiet + 1 : 0;
    }
  }
}
