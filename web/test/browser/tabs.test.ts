import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Presence } from '@pasarela/shared';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import { relayGet } from '../support/worker.js';
import { snapshot, startPeer, untilPeerStatus, waitUntil } from './support/page.js';
import type { CdpTab } from './support/cdp.js';
import type { RoomWorker } from './support/room-worker.js';
import { PAGE_URL, ROOM_HOST, Stack } from './support/stack.js';

/** A new leader's peer must open its socket and be welcomed: one attempt's allowance. */
const JOIN_BOUND_MS =
  PEER_DEFAULTS.reconnect.connectionTimeoutMs + PEER_DEFAULTS.handshakeTimeoutMs;

let stack: Stack;
let worker: RoomWorker;
let tenant: string;
let first: CdpTab;
let second: CdpTab;

/** One peer in the room; active, it is the primary; paused by staff, nobody is. */
const onePeer = (state: 'active' | 'paused') => (presence: Presence) =>
  presence.peers.length === 1 &&
  presence.peers[0]?.state === state &&
  presence.primary === (state === 'active' ? presence.peers[0]?.peerId : null);

beforeAll(async () => {
  stack = await Stack.start();
  tenant = stack.tenant('tabs');
  worker = await stack.worker(tenant);
  first = await stack.browser!.openTab(PAGE_URL);
  second = await stack.browser!.openTab(PAGE_URL);
});

afterAll(async () => {
  worker?.close();
  await stack?.stop();
});

describe('two tabs of the restaurant in one browser', () => {
  it('elect one leader: only it joins the room, the other stands by', async () => {
    await startPeer(first, { tenant, roomHost: ROOM_HOST });
    await untilPeerStatus(first, 'connected', JOIN_BOUND_MS);
    await startPeer(second, { tenant, roomHost: ROOM_HOST });
    const standby = await waitUntil(
      'the second tab hears the leader',
      () => snapshot(second),
      (s) => s.view?.status === 'connected',
      JOIN_BOUND_MS,
    );

    expect((await snapshot(first)).role).toBe('leader');
    expect(standby.value).toMatchObject({ role: 'standby', status: null, tokensFetched: 0 });
    await worker.untilPresence('one active primary', onePeer('active'), JOIN_BOUND_MS);
  });

  it('carries a pause from the standby tab to the leader, and the room sees it', async () => {
    await second.evaluate('harness.pause()');
    const bound = stack.broker.pingIntervalMs;
    await worker.untilPresence('the peer paused', onePeer('paused'), bound);
    expect((await snapshot(first)).view?.state).toBe('paused');
  });

  it('hands over to the standby when the leader tab closes, still paused', async () => {
    const before = worker.presence?.peers[0]?.peerId;
    const started = Date.now();
    await first.close();
    const { elapsedMs } = await untilPeerStatus(second, 'connected', JOIN_BOUND_MS);
    console.log(`[tabs] standby joined the room ${elapsedMs} ms after the leader tab closed`);
    const presence = await worker.untilPresence(
      'the new leader as the only peer',
      (p) => onePeer('paused')(p) && p.peers[0]?.peerId !== before,
      JOIN_BOUND_MS,
    );
    console.log(`[tabs] room listed the new peer alone ${Date.now() - started} ms after the close`);

    expect(presence.peers).toHaveLength(1);
    expect((await snapshot(second)).role).toBe('leader');
  });

  it('serves the worker from the new leader once staff resume', async () => {
    await second.evaluate('harness.resume()');
    await worker.untilPresence('the new leader active', onePeer('active'), JOIN_BOUND_MS);
    const answer = await relayGet(worker, { ...worker.ids(), url: 'https://mmg.whatsapp.net/' });

    expect(answer.head?.status).toBe(404);
    const { stats } = await snapshot(second);
    expect(stats?.streams).toMatchObject({ started: 1, succeeded: 1 });
  });
});
