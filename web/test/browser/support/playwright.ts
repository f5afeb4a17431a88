import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PageHandle } from './page.js';
import { CHROMIUM_PATH } from './profile.js';
import type { BrowserProfile } from './profile.js';

/** A Playwright page as the suite drives it: expressions in, plain values out. */
export class PlaywrightTab implements PageHandle {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  evaluate<T>(expression: string): Promise<T> {
    return this.page.evaluate(expression) as Promise<T>;
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/**
 * Debian's Chromium through playwright-core (no browser download), for the
 * cases where background throttling does not matter: Playwright adds
 * switches that keep every page visible and its timers running.
 */
export class PlaywrightChromium {
  readonly browser: Browser;
  readonly context: BrowserContext;

  private constructor(browser: Browser, context: BrowserContext) {
    this.browser = browser;
    this.context = context;
  }

  static async launch(profile: BrowserProfile): Promise<PlaywrightChromium> {
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...profile.switches],
      env: profile.env,
      headless: true,
    });
    return new PlaywrightChromium(browser, await browser.newContext());
  }

  async openTab(url: string): Promise<PlaywrightTab> {
    const page = await this.context.newPage();
    await page.goto(url);
    return new PlaywrightTab(page);
  }

  close(): Promise<void> {
    return this.browser.close();
  }
}
