import type { Legs, PeerState, TenantStatus, Welcome } from '@pasarela/shared';
import type { PeerStats, PeerStatus, TabRole, TabView } from '../../../src/peer/index.js';
import type { HarnessConfig, LogEntry } from '../page/harness.js';

/** A tab the suite can run expressions in (a DevTools session of one tab). */
export interface PageHandle {
  evaluate<T>(expression: string): Promise<T>;
}

export interface PageSnapshot {
  readonly role: TabRole | null;
  readonly view: TabView | null;
  readonly status: PeerStatus | null;
  readonly legs: Legs | null;
  readonly stats: PeerStats | null;
  readonly welcome: Welcome | null;
  readonly tokensFetched: number;
  readonly visibility: DocumentVisibilityState;
  readonly hasFocus: boolean;
}

export type { HarnessConfig, LogEntry, PeerState, TenantStatus };

const POLL_MS = 50;

/**
 * Resolves once `check` holds, with the time it took; throws after `boundMs` with the last value.
 */
export async function waitUntil<T>(
  describe: string,
  read: () => Promise<T>,
  check: (value: T) => boolean,
  boundMs: number,
): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    const elapsedMs = Date.now() - started;
    if (check(value)) return { value, elapsedMs };
    if (elapsedMs > boundMs) {
      throw new Error(`${describe}: not within ${boundMs} ms; last: ${JSON.stringify(value)}`);
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

export function snapshot(page: PageHandle): Promise<PageSnapshot> {
  return page.evaluate<PageSnapshot>('harness.snapshot()');
}

export function pageLog(page: PageHandle, since = 0): Promise<LogEntry[]> {
  return page.evaluate<LogEntry[]>(`harness.log(${since})`);
}

/** Waits for the page's script, then starts its TabPeer. */
export async function startPeer(page: PageHandle, config: HarnessConfig): Promise<void> {
  await waitUntil(
    'the page script loaded',
    () => page.evaluate<boolean>(`typeof globalThis.harness === 'object'`),
    Boolean,
    10_000,
  );
  await page.evaluate(`harness.start(${JSON.stringify(config)})`);
}

/** Waits until the page's peer reports the status, with the time it took. */
export function untilPeerStatus(
  page: PageHandle,
  status: PeerStatus,
  boundMs: number,
): Promise<{ value: PageSnapshot; elapsedMs: number }> {
  return waitUntil(
    `peer status ${status}`,
    () => snapshot(page),
    (s) => s.status === status,
    boundMs,
  );
}
