import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nextEvent, untilStatus } from '../src/node/index.js';
import type { PageSignals, RelayPeer } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import { TENANT, testPeer } from './support/peer.js';
import { TestUpstream } from './support/upstream.js';

let room: TestRoom | null = null;
let upstream: TestUpstream | null = null;
let peer: RelayPeer | null = null;

afterEach(async () => {
  peer?.stop();
  await room?.close();
  await upstream?.close();
  peer = null;
  room = null;
  upstream = null;
});

/** A loopback port nothing listens on (refused at once), for a room that is down. */
async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A page's window and document, as plain event targets the test can fire. */
function fakePage(): PageSignals & {
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
} {
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  return { window: new EventTarget(), document };
}

const RETRIES = { maxRetries: 2, minDelayMs: 50, maxDelayMs: 100, connectionTimeoutMs: 1_000 };
const HANDSHAKE_TIMEOUT_MS = 2_000;

async function peerAfterRetriesRanOut(page: PageSignals | null) {
  const port = await unusedPort();
  const placeholder = await TestRoom.start({ tenant: TENANT });
  const down = testPeer(placeholder, null, {
    host: `127.0.0.1:${port}`,
    page,
    reconnect: RETRIES,
    handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS,
  });
  await placeholder.close();
  peer = down;
  down.start();
  const offline = await untilStatus(down, 'offline');
  return { port, offline };
}

describe('a room that was unreachable until the retries ran out (F7)', () => {
  it('is joined again when the page regains focus', async () => {
    const page = fakePage();
    const { port, offline } = await peerAfterRetriesRanOut(page);
    expect(offline.willRetry).toBe(false);
    expect(peer?.stats().attempts).toBe(1 + RETRIES.maxRetries);

    room = await TestRoom.start({ tenant: TENANT, port });
    const started = performance.now();
    page.window.dispatchEvent(new Event('focus'));
    const back = await nextEvent(peer as RelayPeer, 'status', (e) => e.status === 'connected');
    const elapsed = performance.now() - started;
    const bound = RETRIES.connectionTimeoutMs + HANDSHAKE_TIMEOUT_MS;
    console.log(`focus to connected: ${elapsed.toFixed(0)} ms (bound ${bound} ms)`);
    expect(back.status).toBe('connected');
    expect(elapsed).toBeLessThan(bound);
    expect(room.sockets).toHaveLength(1);
  });

  it('is joined again when the page becomes visible', async () => {
    const page = fakePage();
    const { port } = await peerAfterRetriesRanOut(page);
    room = await TestRoom.start({ tenant: TENANT, port });
    page.document.visibilityState = 'hidden';
    page.document.dispatchEvent(new Event('visibilitychange'));
    expect(peer?.stats().attempts).toBe(1 + RETRIES.maxRetries);
    page.document.visibilityState = 'visible';
    page.document.dispatchEvent(new Event('visibilitychange'));
    await untilStatus(peer as RelayPeer, 'connected');
  });

  it('is joined again in Node when the caller calls reconnect()', async () => {
    const { port } = await peerAfterRetriesRanOut(null);
    room = await TestRoom.start({ tenant: TENANT, port });
    peer?.reconnect();
    await untilStatus(peer as RelayPeer, 'connected');
    expect(room.sockets).toHaveLength(1);
  });
});

describe('a healthy peer whose page comes back to the front', () => {
  it('keeps its socket: no reconnect storm', async () => {
    const page = fakePage();
    room = await TestRoom.start({ tenant: TENANT });
    peer = testPeer(room, null, { page });
    peer.start();
    await untilStatus(peer, 'connected');
    const socket = await room.socket(0);
    for (let i = 0; i < 3; i += 1) {
      page.window.dispatchEvent(new Event('focus'));
      page.window.dispatchEvent(new Event('online'));
      page.document.dispatchEvent(new Event('visibilitychange'));
    }
    socket.send({ kind: 'ping', sentAt: 1 });
    await socket.next('pong');
    expect(peer.stats().attempts).toBe(1);
    expect(room.sockets).toHaveLength(1);
  });
});

describe('a room socket that goes silent', () => {
  it('is replaced once nothing has come for roomSilenceMs', async () => {
    room = await TestRoom.start({ tenant: TENANT });
    const roomSilenceMs = 300;
    peer = testPeer(room, null, { roomSilenceMs });
    peer.start();
    await untilStatus(peer, 'connected');
    const started = performance.now();
    const replaced = await nextEvent(peer, 'status', (e) => e.cause === 'room-silent');
    const elapsed = performance.now() - started;
    console.log(`silent room: replaced after ${elapsed.toFixed(0)} ms (limit ${roomSilenceMs} ms)`);
    expect(replaced.status).toBe('connecting');
    expect(elapsed).toBeGreaterThanOrEqual(roomSilenceMs);
    await room.socket(1);
  });
});

describe('a room that replaces the peer', () => {
  it('goes offline for good: no retry, and a page wake does not fight back', async () => {
    const page = fakePage();
    room = await TestRoom.start({ tenant: TENANT });
    peer = testPeer(room, null, { page });
    peer.start();
    await untilStatus(peer, 'connected');
    const socket = await room.socket(0);
    socket.close(4020, 'replaced');
    const offline = await untilStatus(peer, 'offline');
    expect(offline).toMatchObject({ closeCode: 4020, errorCode: 'replaced', willRetry: false });
    page.window.dispatchEvent(new Event('focus'));
    // A reconnect after a reset retry count starts on partysocket's zero-delay timer.
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(peer.status).toBe('offline');
    expect(peer.stats().attempts).toBe(1);
  });
});

describe('a room socket cut while an upstream WebSocket is relayed (F9)', () => {
  it(
    'ends the upstream, and the new socket starts ' + 'with Hello and carries nothing of the old',
    async () => {
      room = await TestRoom.start({ tenant: TENANT });
      upstream = await TestUpstream.start();
      peer = testPeer(room, upstream);
      peer.start();
      await untilStatus(peer, 'connected');
      const first = await room.socket(0);
      const ids = { streamId: 21, connectionId: 9 };
      first.send({
        kind: 'ws-open',
        ...ids,
        body: {
          url: 'wss://web.whatsapp.com/ws/chat',
          protocols: [],
          headers: [],
          deadlineMs: 5_000,
        },
      });
      await first.next('ws-opened', ids.streamId);

      first.terminate();
      for (let i = 0; i < 10; i += 1) upstream.push(new Uint8Array([i]));
      const second = await room.socket(1);
      await untilStatus(peer, 'connected');
      await expect
        .poll(() => upstream?.closesFromPeer)
        .toEqual([{ code: 1000, reason: 'tunnel lost' }]);

      expect(second.frames[0]?.kind).toBe('hello');
      second.send({ kind: 'ws-message', ...ids, binary: true, data: new Uint8Array([42]) });
      second.send({ kind: 'ping', sentAt: 2 });
      await second.next('pong');
      expect(second.frames.map((frame) => frame.kind)).toEqual(['hello', 'peer-state', 'pong']);
      expect(upstream.openSockets).toBe(0);
      expect(peer.stats().dropped.byReason['unknown-stream']).toBe(1);
      expect(peer.stats().streams.endedByLinkLoss).toBe(1);
    },
  );
});
