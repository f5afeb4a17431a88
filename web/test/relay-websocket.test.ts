import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Message } from '@pasarela/shared';
import { untilStatus } from '../src/node/index.js';
import type { RelayPeer } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import type { RoomSocket } from './support/room.js';
import { TENANT, testPeer } from './support/peer.js';
import { TestUpstream } from './support/upstream.js';

let room: TestRoom;
let upstream: TestUpstream;
let peer: RelayPeer;
let socket: RoomSocket;

const utf8 = new TextEncoder();
const ids = { streamId: 21, connectionId: 9 };

async function joined(options: Parameters<typeof testPeer>[2] = {}): Promise<void> {
  peer = testPeer(room, upstream, options);
  peer.start();
  await untilStatus(peer, 'connected');
  socket = await room.socket(0);
}

function openChat(path = '/ws/chat', deadlineMs = 10_000): void {
  socket.send({
    kind: 'ws-open',
    ...ids,
    body: {
      url: `wss://web.whatsapp.com${path}`,
      protocols: [],
      headers: [
        ['Origin', 'https://web.whatsapp.com'],
        ['User-Agent', 'Baileys'],
      ],
      deadlineMs,
    },
  });
}

function message(binary: boolean, data: Uint8Array, to = ids): Message {
  return { kind: 'ws-message', ...to, binary, data };
}

beforeEach(async () => {
  room = await TestRoom.start({ tenant: TENANT });
  upstream = await TestUpstream.start();
});

afterEach(async () => {
  peer?.stop();
  await room.close();
  await upstream.close();
});

describe('a relayed upstream WebSocket', () => {
  it('opens from the page, reporting every header it could not send', async () => {
    await joined();
    openChat();
    const opened = await socket.next('ws-opened', ids.streamId);
    expect(opened.body.droppedRequestHeaders).toEqual(['origin', 'user-agent']);
    expect(upstream.upgrades.map((u) => [u.path, u.headers.origin])).toEqual([
      ['/ws/chat', undefined],
    ]);
  });

  it('keeps each message whole with its binary or text bit, both ways', async () => {
    await joined();
    openChat();
    await socket.next('ws-opened', ids.streamId);
    socket.send(message(true, new Uint8Array([0, 1, 2, 255])));
    socket.send(message(false, utf8.encode('hola, señor')));
    const first = await socket.next('ws-message', ids.streamId);
    const second = await socket.next('ws-message', ids.streamId);
    expect([first.binary, [...first.data]]).toEqual([true, [0, 1, 2, 255]]);
    expect([second.binary, new TextDecoder().decode(second.data)]).toEqual([false, 'hola, señor']);
    expect(first.connectionId).toBe(9);

    upstream.push(new Uint8Array([9, 8, 7]));
    const pushed = await socket.next('ws-message', ids.streamId);
    expect([pushed.binary, [...pushed.data]]).toEqual([true, [9, 8, 7]]);
  });

  it('passes on the upstream’s close with its own code and reason', async () => {
    await joined();
    openChat();
    await socket.next('ws-opened', ids.streamId);
    socket.send(message(false, utf8.encode('close-me:4321:bye')));
    const close = await socket.next('ws-close', ids.streamId);
    expect(close.body).toEqual({ code: 4321, reason: 'bye' });
  });

  it(
    'closes the upstream with the worker’s ' + 'code, or 1000 where a page may not use it',
    async () => {
      await joined();
      openChat();
      await socket.next('ws-opened', ids.streamId);
      socket.send({ kind: 'ws-close', ...ids, body: { code: 4000, reason: 'done' } });
      const second = { streamId: 22, connectionId: 10 };
      socket.send({
        kind: 'ws-open',
        ...second,
        body: {
          url: 'wss://web.whatsapp.com/ws/chat',
          protocols: [],
          headers: [],
          deadlineMs: 5_000,
        },
      });
      await socket.next('ws-opened', second.streamId);
      socket.send({ kind: 'ws-close', ...second, body: { code: 1001, reason: 'going away' } });
      await expect
        .poll(() => upstream.closesFromPeer)
        .toEqual([
          { code: 4000, reason: 'done' },
          { code: 1000, reason: 'going away' },
        ]);
    },
  );

  it('answers a refused upgrade with upstream_refused at once, not at its deadline', async () => {
    await joined();
    const deadlineMs = 10_000;
    const started = performance.now();
    openChat('/ws/refuse', deadlineMs);
    const reset = await socket.next('reset', ids.streamId);
    const elapsed = performance.now() - started;
    console.log(
      `refused upgrade: reset after ${elapsed.toFixed(0)} ms (deadline ${deadlineMs} ms)`,
    );
    expect(reset.body.code).toBe('upstream_refused');
    expect(elapsed).toBeLessThan(deadlineMs);
    expect(peer.legs.websocket.status).toBe('unavailable');
  });

  it(
    'drops and counts frames for another ' + 'connection, an unknown stream or an ended one',
    async () => {
      await joined();
      openChat();
      await socket.next('ws-opened', ids.streamId);
      socket.send(
        message(false, utf8.encode('stale connection'), { streamId: 21, connectionId: 8 }),
      );
      socket.send(message(false, utf8.encode('no such stream'), { streamId: 99, connectionId: 9 }));
      socket.send(message(false, utf8.encode('live')));
      const echo = await socket.next('ws-message', ids.streamId);
      expect(new TextDecoder().decode(echo.data)).toBe('live');

      socket.send(message(false, utf8.encode('close-me:1000:')));
      await socket.next('ws-close', ids.streamId);
      socket.send(message(false, utf8.encode('after the end')));
      await expect.poll(() => peer.stats().dropped.total).toBe(3);
      expect(peer.stats().dropped.byReason).toEqual({
        'connection-mismatch': 1,
        'unknown-stream': 1,
        'stream-ended': 1,
      });
    },
  );

  it(
    'resets with frame_too_large a message that ' + 'no frame can hold, and closes the upstream',
    async () => {
      await joined();
      openChat();
      await socket.next('ws-opened', ids.streamId);
      upstream.push(new Uint8Array(300 * 1024));
      const reset = await socket.next('reset', ids.streamId);
      expect(reset.body.code).toBe('frame_too_large');
      await expect.poll(() => upstream.openSockets).toBe(0);
    },
  );
});
