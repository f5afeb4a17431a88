import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ProtectionState } from '../../../src/pages/ui/indicator.js';
import type { NoticeKind } from '../../../src/pages/ui/notices.js';
import { waitFor } from './wait.js';

/** Screenshots are kept as test artifacts here (git-ignored). */
export const SCREENSHOT_DIR = resolve(
  import.meta.dirname,
  '../../../../artifacts/screenshots/pages',
);

/** Keeps a full-page screenshot as a test artifact; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface IndicatorReading {
  readonly state: ProtectionState | null;
  readonly cause: string | null;
  readonly paused: boolean;
  readonly leaks: number;
  readonly unservable: string;
  readonly waitingForTab: boolean;
  readonly headline: string;
  readonly explanation: string;
  readonly flags: string[];
}

export interface NoticeReading {
  readonly kind: NoticeKind;
  readonly channel: 'system' | 'toast';
  /** The system's `show` event fired, or the toast was put up. */
  readonly shown: boolean;
  readonly text: string;
}

/** One restaurant page in one tab, read the way staff read it: from the page itself. */
export class Tab {
  constructor(
    readonly page: Page,
    readonly label: string,
  ) {}

  reading(): Promise<IndicatorReading> {
    return this.page.evaluate(() => {
      const section = document.querySelector<HTMLElement>('[data-testid=protection]');
      const data = section?.dataset ?? {};
      const text = (selector: string) => section?.querySelector(selector)?.textContent ?? '';
      return {
        state: (data['state'] ?? null) as ProtectionState | null,
        cause: data['cause'] ?? null,
        paused: data['paused'] === 'true',
        leaks: Number(data['leaks'] ?? 0),
        unservable: data['unservable'] ?? '',
        waitingForTab: data['waitingForTab'] === 'true',
        headline: text('.protection-headline'),
        explanation: text('.protection-explanation'),
        flags: [...(section?.querySelectorAll('.protection-flags li') ?? [])].map(
          (item) => item.textContent ?? '',
        ),
      };
    });
  }

  untilState(state: ProtectionState, boundMs: number, cause?: string) {
    return waitFor(
      `${this.label}: the indicator to read ${state}${cause ? ` (${cause})` : ''}`,
      () => this.reading(),
      (reading) => reading.state === state && (cause === undefined || reading.cause === cause),
      boundMs,
    );
  }

  notices(): Promise<NoticeReading[]> {
    return this.page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-testid=history] li[data-notice]')].map(
        (item) => ({
          kind: item.dataset['notice'] as NoticeKind,
          channel: item.dataset['channel'] as 'system' | 'toast',
          shown: item.dataset['shown'] === 'true',
          text: item.querySelector('.notice-text')?.textContent ?? '',
        }),
      ),
    );
  }

  /** Waits for a notice of `kind` newer than the `after` notices already seen. */
  async untilNotice(kind: NoticeKind, boundMs: number, after: number): Promise<NoticeReading> {
    const { value } = await waitFor(
      `${this.label}: a "${kind}" notice`,
      () => this.notices(),
      // Newest first: the fresh ones are at the top.
      (notices) => notices.slice(0, notices.length - after).some((notice) => notice.kind === kind),
      boundMs,
    );
    return value.find((notice) => notice.kind === kind)!;
  }

  toasts(): Promise<string[]> {
    return this.page.evaluate(() =>
      [...document.querySelectorAll('[data-testid=toasts] .toast p')].map(
        (p) => p.textContent ?? '',
      ),
    );
  }

  announced(): Promise<string> {
    return this.page.evaluate(
      () => document.querySelector('[data-testid=announcer]')?.textContent ?? '',
    );
  }

  consentOpen(): Promise<boolean> {
    return this.page.evaluate(
      () => document.querySelector<HTMLDialogElement>('[data-testid=consent]')?.open ?? false,
    );
  }

  screenshot(name: string): Promise<string> {
    return screenshot(this.page, name);
  }
}

export interface DeviceOptions {
  /** A name for messages. */
  readonly name: string;
  /** The page origin whose notifications this device allowed; none when absent. */
  readonly notificationsFor?: string;
}

/**
 * One device of the restaurant: a browser profile of its own (its own
 * storage, locks and peer), with as many tabs as staff open on it.
 */
export class Device {
  readonly tabs: Tab[] = [];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
  ) {}

  static async open(browser: Browser, options: DeviceOptions): Promise<Device> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    if (options.notificationsFor) {
      await context.grantPermissions(['notifications'], { origin: options.notificationsFor });
    }
    return new Device(options.name, context);
  }

  async tab(url: string, label: string): Promise<Tab> {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => console.error(`[${this.name}/${label}] page error:`, error));
    await page.goto(url);
    await page.waitForSelector('[data-testid=protection]');
    const tab = new Tab(page, `${this.name}/${label}`);
    this.tabs.push(tab);
    return tab;
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
