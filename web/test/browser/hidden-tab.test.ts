import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Presence } from '@pasarela/shared';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import type { CdpTab } from './support/cdp.js';
import { pageLog, snapshot, waitUntil } from './support/page.js';
import { joinTab } from './support/session.js';
import type { JoinedTab } from './support/session.js';
import { Stack } from './support/stack.js';

/**
 * F11 (stomp-js/stompjs#335): heartbeats of a hidden tab. Chromium really
 * hides the page (another tab in front, no switch that keeps background
 * pages visible: no Playwright), and its own switch shortens the grace
 * period before intensive wake-up throttling from five minutes to ten
 * seconds. The room pings every 20 s, as in production.
 */
const GRACE_SECONDS = 10;
const THROTTLE_SWITCH =
  '--enable-features=IntensiveWakeUpThrottling:' + `grace_period_seconds/${GRACE_SECONDS}`;
const HIDDEN_MS = 3 * 60_000;
const TIMER_INTERVAL_MS = 1_000;
/**
 * Intensive throttling lets a chained timer run at most once a minute; 55 s leaves room for
 * alignment.
 */
const THROTTLED_GAP_MS = 55_000;
const PING_INTERVAL_MS = 20_000;
const JOIN_BOUND_MS =
  PEER_DEFAULTS.reconnect.connectionTimeoutMs + PEER_DEFAULTS.handshakeTimeoutMs;

let stack: Stack;
let session: JoinedTab;
let tab: CdpTab;
let front: CdpTab;
const presences: { at: number; presence: Presence }[] = [];

beforeAll(async () => {
  stack = await Stack.start({
    switches: [THROTTLE_SWITCH],
    brokerConfig: { pingIntervalMs: PING_INTERVAL_MS },
  });
  session = await joinTab(stack, 'hidden', JOIN_BOUND_MS);
  tab = session.tab;
  session.worker.subscribePresence((presence) => presences.push({ at: Date.now(), presence }));
});

afterAll(async () => {
  session?.worker.close();
  await stack?.stop();
});

describe('a tab hidden for three minutes (F11)', () => {
  let hiddenAt = 0;
  let before: Awaited<ReturnType<typeof snapshot>>;

  it(
    'is really hidden and throttled, yet answers every ping and keeps its one socket',
    async () => {
      await tab.evaluate(`harness.startChainedTimer(${TIMER_INTERVAL_MS})`);
      front = await stack.browser!.openTab('about:blank');
      hiddenAt = Date.now();
      before = await snapshot(tab);
      expect(before).toMatchObject({ visibility: 'hidden', hasFocus: false, status: 'connected' });

      await new Promise((done) => setTimeout(done, HIDDEN_MS));

      const fires = (await tab.evaluate<number[]>('harness.timerFires()')).filter(
        (at) => at > hiddenAt,
      );
      const gaps = fires.slice(1).map((at, i) => at - (fires[i] as number));
      const widest = Math.max(...gaps);
      console.log(
        `[F11] chained ${TIMER_INTERVAL_MS} ms timer while hidden: ${fires.length} runs, ` +
          `gaps over 2 s: ${gaps.filter((gap) => gap > 2_000).join(', ')} ms`,
      );
      expect(widest).toBeGreaterThanOrEqual(THROTTLED_GAP_MS);

      const after = await snapshot(tab);
      const answered = (after.stats?.pingsAnswered ?? 0) - (before.stats?.pingsAnswered ?? 0);
      console.log(
        `[F11] pings answered while hidden: ${answered} (room pings every ${PING_INTERVAL_MS} ms)`,
      );
      // The room's alarm may put one ping just outside the window.
      expect(answered).toBeGreaterThanOrEqual(Math.floor(HIDDEN_MS / PING_INTERVAL_MS) - 1);
      expect(after).toMatchObject({
        visibility: 'hidden',
        status: 'connected',
        stats: { socketsOpened: 1, attempts: 1, joins: 1 },
      });
    },
    HIDDEN_MS + 60_000,
  );

  it('was never declared dead by the room while it answered', async () => {
    const room = await stack.room.inspect(session.tenant);
    const peer = room.peers.find((entry) => entry.peerId === session.peerId);
    console.log(
      `[F11] room: ${room.peers.length} peer(s), health ${peer?.health}, missed pings ` +
        `${peer?.missedPings}, round trip ${peer?.rttMs} ms, ${presences.length} presence updates`,
    );
    expect(peer).toMatchObject({ role: 'primary', health: 'healthy', missedPings: 0 });
    expect(room.peers).toHaveLength(1);
    for (const { presence } of presences.filter(({ at }) => at >= hiddenAt)) {
      expect(presence.primary).toBe(session.peerId);
    }
  });

  it('comes back to the foreground without a reconnect', async () => {
    const since = (await pageLog(tab)).length;
    await tab.activate();
    await waitUntil(
      'the tab visible again',
      () => snapshot(tab),
      (s) => s.visibility === 'visible',
      JOIN_BOUND_MS,
    );
    // A storm would start within one connect attempt; give it that long to show.
    await new Promise((done) => setTimeout(done, PEER_DEFAULTS.reconnect.connectionTimeoutMs));

    const after = await snapshot(tab);
    expect(after).toMatchObject({
      status: 'connected',
      stats: { socketsOpened: 1, attempts: 1, joins: 1 },
      tokensFetched: before.tokensFetched,
    });
    const statuses = (await pageLog(tab, since)).filter((entry) => entry.name === 'status');
    expect(statuses).toEqual([]);
    await front.close();
  });
});
