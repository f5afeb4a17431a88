import { PlainChromium } from '../../web/test/browser/support/cdp.js';
import type { CdpTab } from '../../web/test/browser/support/cdp.js';
import { createBrowserProfile } from '../../web/test/browser/support/profile.js';
import type { BrowserProfile, HostRule } from '../../web/test/browser/support/profile.js';
import type { Site } from './network.js';
import { until } from './wait.js';

export interface IndicatorReading {
  readonly state: string | null;
  readonly cause: string | null;
  readonly paused: boolean;
  readonly waitingForTab: boolean;
  readonly headline: string;
  readonly explanation: string;
  readonly flags: string[];
}

/** The protection indicator as staff read it: the page's own section, its words and marks. */
const READ_INDICATOR = `(() => {
  const section = document.querySelector('[data-testid=protection]');
  const data = section ? section.dataset : {};
  const text = (selector) => (section && section.querySelector(selector)?.textContent) || '';
  return {
    state: data.state ?? null,
    cause: data.cause ?? null,
    paused: data.paused === 'true',
    waitingForTab: data.waitingForTab === 'true',
    headline: text('.protection-headline'),
    explanation: text('.protection-explanation'),
    flags: [...(section ? section.querySelectorAll('.protection-flags li') : [])].map(
      (item) => item.textContent || '',
    ),
  };
})()`;

/** One restaurant page in one tab of Chromium, driven over DevTools, read from the page. */
export class PageTab {
  constructor(
    readonly tab: CdpTab,
    readonly label: string,
  ) {}

  reading(): Promise<IndicatorReading> {
    return this.tab.evaluate<IndicatorReading>(READ_INDICATOR);
  }

  /** Waits for the indicator to read `state` (and the test), printing how long it took. */
  async untilState(
    state: string,
    boundMs: number,
    test: (reading: IndicatorReading) => boolean = () => true,
  ): Promise<IndicatorReading> {
    let last: IndicatorReading | null = null;
    try {
      return await until(
        `${this.label}: the indicator to read ${state}`,
        async () => {
          last = await this.reading();
          return last.state === state && test(last) ? last : undefined;
        },
        boundMs,
      );
    } catch (error) {
      // What staff would have seen instead, to tell why.
      throw new Error(`${(error as Error).message}; it read ${JSON.stringify(last)}`);
    }
  }

  /** Staff read the opt-in and agree: the dialog's primary button, clicked in the page. */
  async consent(boundMs: number): Promise<void> {
    await until(
      `${this.label}: the consent question`,
      async () =>
        (await this.tab.evaluate<boolean>(
          `document.querySelector('[data-testid=consent]')?.open === true`,
        )) || undefined,
      boundMs,
    );
    await this.tab.evaluate(
      `document.querySelector('[data-testid=consent] button.primary').click()`,
    );
  }

  /** Staff press "pause" on this browser. */
  async pause(): Promise<void> {
    await this.tab.evaluate(`document.querySelector('[data-testid=pause]').click()`);
  }

  close(): Promise<void> {
    return this.tab.close();
  }
}

export interface BrowserOptions {
  readonly label: string;
  readonly site: Site;
  readonly authorities: readonly { readonly name: string; readonly pem: string }[];
  /** Names Chromium resolves itself, each to an address it reaches from its site. */
  readonly hostRules: readonly HostRule[];
}

/**
 * Debian's Chromium on a restaurant's network: started inside the site's
 * namespace (its DevTools over a pipe), trusting the suite's and the
 * stand-in's authorities through a temporary NSS database, resolving
 * WhatsApp's real names, the restaurant's page and the room itself, and
 * nothing else. No switch turns a check off.
 */
export class RestaurantBrowser {
  private constructor(
    readonly label: string,
    readonly profile: BrowserProfile,
    readonly chromium: PlainChromium,
  ) {}

  static async open(options: BrowserOptions): Promise<RestaurantBrowser> {
    const profile = await createBrowserProfile({
      authorities: options.authorities,
      hostRules: [...options.hostRules, { host: '*', to: '~NOTFOUND' }],
    });
    try {
      const chromium = await PlainChromium.launch(profile, [], { wrapper: options.site.wrapper });
      return new RestaurantBrowser(options.label, profile, chromium);
    } catch (error) {
      await profile.dispose();
      throw error;
    }
  }

  async tab(url: string, label: string, boundMs: number): Promise<PageTab> {
    const tab = await this.chromium.openTab(url);
    const page = new PageTab(tab, `${this.label}/${label}`);
    await until(
      `${page.label}: the page to load`,
      async () =>
        (await tab.evaluate<boolean>(`!!document.querySelector('[data-testid=protection]')`)) ||
        undefined,
      boundMs,
    );
    return page;
  }

  async close(): Promise<void> {
    await this.chromium.close().catch(() => undefined);
    await this.profile.dispose();
  }
}
