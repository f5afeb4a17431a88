import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import type { CdpTab } from './support/cdp.js';
import { pageLog, snapshot, untilPeerStatus, waitUntil } from './support/page.js';
import { joinTab } from './support/session.js';
import type { JoinedTab } from './support/session.js';
import { Stack } from './support/stack.js';

/**
 * F7 (cloudflare/partykit#252): the peer's retries run out against a room
 * that is down; the room comes back; the page's focus or visibility event,
 * when staff bring the tab back, must reconnect it.
 * Driven through a plain DevTools-protocol client, so focus and visibility
 * are the browser's own: the tab really goes to the background when another
 * tab opens in front of it, and really returns when it is activated.
 */
const RECONNECT = {
  minDelayMs: 200,
  maxDelayMs: 400,
  growFactor: 1.5,
  maxRetries: 3,
  connectionTimeoutMs: 2_000,
  // A socket open this long counts as stable and resets the retry count.
  minUptimeMs: 500,
};
const CONNECT_TIMEOUT_MS = RECONNECT.connectionTimeoutMs;
/** Every attempt may wait its longest delay and its whole connect timeout. */
const RETRIES_RUN_OUT_MS = (RECONNECT.maxRetries + 1) * (RECONNECT.maxDelayMs + CONNECT_TIMEOUT_MS);
/** One attempt: the socket opens, Hello goes out, Welcome comes back. */
const ONE_ATTEMPT_MS = CONNECT_TIMEOUT_MS + PEER_DEFAULTS.handshakeTimeoutMs;

let stack: Stack;
let session: JoinedTab;
let tab: CdpTab;
/** The tab opened in front of the peer's, which hides it. */
let front: CdpTab;

beforeAll(async () => {
  stack = await Stack.start();
  session = await joinTab(stack, 'focus', ONE_ATTEMPT_MS, { reconnect: RECONNECT });
  tab = session.tab;
});

afterAll(async () => {
  session?.worker.close();
  await stack?.stop();
});

describe('a page whose retries ran out (F7)', () => {
  it('goes offline once every retry against an unreachable room has failed', async () => {
    await new Promise((done) => setTimeout(done, RECONNECT.minUptimeMs));
    await stack.gate.close();
    const { value, elapsedMs } = await untilPeerStatus(tab, 'offline', RETRIES_RUN_OUT_MS);
    console.log(
      `[F7] offline after ${value.stats?.attempts} attempts, ${elapsedMs} ms after the room ` +
        `became unreachable (bound ${RETRIES_RUN_OUT_MS} ms)`,
    );
    // The first join, then maxRetries attempts (partysocket counts the retries of a
    // socket that was stable from zero).
    expect(value.stats?.attempts).toBe(1 + RECONNECT.maxRetries);
    expect(value.stats?.socketsOpened).toBe(1);
  });

  it(
    'stays offline in the background after the ' + 'room is back: nothing retries by itself',
    async () => {
      front = await stack.browser!.openTab('about:blank');
      const hidden = await snapshot(tab);
      expect(hidden).toMatchObject({ visibility: 'hidden', hasFocus: false });
      await stack.gate.open();
      const attempts = hidden.stats?.attempts;
      // Longer than any backoff delay and connect timeout partysocket could still be in.
      await new Promise((done) => setTimeout(done, RECONNECT.maxDelayMs + CONNECT_TIMEOUT_MS));

      expect(await snapshot(tab)).toMatchObject({
        status: 'offline',
        stats: { attempts },
      });
    },
  );

  it(
    'reconnects when the tab comes back to the ' + 'front, within one attempt, with a fresh token',
    async () => {
      const before = await snapshot(tab);
      const since = (await pageLog(tab)).length;
      await tab.activate();
      const { value, elapsedMs } = await untilPeerStatus(tab, 'connected', ONE_ATTEMPT_MS);
      console.log(
        `[F7] connected ${elapsedMs} ms after the tab ` +
          `was brought back (bound ${ONE_ATTEMPT_MS} ms)`,
      );

      expect(value).toMatchObject({ visibility: 'visible', hasFocus: true });
      const statuses = (await pageLog(tab, since)).filter((entry) => entry.name === 'status');
      const [wake, ...rest] = statuses.map(
        (entry) => entry.detail as { status: string; cause?: string },
      );
      // Chromium delivers focus and visibilitychange together, in either order;
      // the first one starts the attempt and the second finds it under way.
      console.log(`[F7] the attempt was started by the page's ${wake?.cause} event`);
      expect(wake?.status).toBe('connecting');
      expect(['focus', 'visible']).toContain(wake?.cause);
      expect(rest).toEqual([{ status: 'handshaking' }, { status: 'connected' }]);
      expect(value.tokensFetched).toBe(before.tokensFetched + 1);
      const presence = await session.worker.untilPresence(
        'the peer back as healthy primary',
        (p) => p.peers.some((peer) => peer.peerId === p.primary && peer.health === 'healthy'),
        ONE_ATTEMPT_MS + stack.broker.pingIntervalMs,
      );
      expect(presence.peers).toHaveLength(1);
      await front.close();
    },
  );

  it('joins once: the visibility event that came with the focus started nothing more', async () => {
    await waitUntil(
      'one more socket, joined',
      () => snapshot(tab),
      (s) => s.stats?.joins === 2,
      ONE_ATTEMPT_MS,
    );
    const { stats } = await snapshot(tab);
    expect(stats).toMatchObject({ socketsOpened: 2, joins: 2 });
  });
});
