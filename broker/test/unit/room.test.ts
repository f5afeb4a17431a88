import { describe, expect, it } from 'vitest';
import { HEADER_SIZE, signToken } from '@pasarela/shared';
import type { Message } from '@pasarela/shared';
import { frame, join, KEYS, MemoryHost, newRoom, pong, START, UNIT_CONFIG } from './memory-host.js';

function requestHead(streamId: number): Message {
  return {
    kind: 'request-head',
    streamId,
    connectionId: 1,
    body: {
      method: 'GET',
      url: `https://mmg.whatsapp.net/${streamId}`,
      headers: [],
      deadlineMs: 10_000,
      replaySafe: true,
      bodyLength: 0,
      leg: 'download',
    },
  };
}

const chunk = (streamId: number, size: number, fill: number): Message => ({
  kind: 'body',
  streamId,
  connectionId: 1,
  data: new Uint8Array(size).fill(fill),
});

describe('room core', () => {
  it('keeps relaying a stream to its peer after a wake-up from hibernation', async () => {
    const host = new MemoryHost();
    const before = newRoom(host);
    const worker = await join(before, host, 'worker');
    const peer = await join(before, host, 'peer');
    await before.message(worker, frame(requestHead(1)));
    expect(host.takeKind(peer, 'request-head').map((m) => m.streamId)).toEqual([1]);

    // A new object over the same sockets and storage, as after hibernation.
    const after = newRoom(host);
    await after.message(worker, frame(chunk(1, 3, 7)));
    expect(host.takeKind(peer, 'body').map((m) => [...m.data])).toEqual([[7, 7, 7]]);
    const head: Message = {
      kind: 'response-head',
      streamId: 1,
      connectionId: 1,
      body: {
        status: 200,
        statusText: 'OK',
        headers: [],
        url: 'https://mmg.whatsapp.net/1',
        redirected: false,
        opaque: false,
        droppedRequestHeaders: [],
        partialHeaders: true,
      },
    };
    await after.message(peer, frame(head));
    expect(host.takeKind(worker, 'response-head').map((m) => m.streamId)).toEqual([1]);
    const admin = await signToken(
      { tenant: '*', role: 'admin', ttlSeconds: 60, now: host.clock },
      KEYS,
    );
    const room = await after.inspect(admin);
    expect(room.primary).toBe(peer);
    expect(room.streams.map((stream) => [stream.streamId, stream.peer])).toEqual([[1, peer]]);
  });

  it('sets no alarm once nothing is connected and every counter is flushed', async () => {
    const host = new MemoryHost();
    const room = newRoom(host);
    const worker = await join(room, host, 'worker');
    const peer = await join(room, host, 'peer');
    // The first ping went out with the Welcome; the next is due one interval later.
    expect(host.alarm).toBe(START + UNIT_CONFIG.pingIntervalMs);

    host.clock += 100;
    await room.closed(peer, 1000);
    await room.closed(worker, 1000);
    expect(host.alarm).toBe(null);
    expect(host.stored.get('stats')).toMatchObject({ requestsSent: 0, routeChanges: 2 });
  });

  it('writes counters at most once per interval, and at once when a socket closes', async () => {
    const host = new MemoryHost();
    const room = newRoom(host);
    const worker = await join(room, host, 'worker');
    const peer = await join(room, host, 'peer');
    await room.message(worker, frame(requestHead(1)));
    await room.message(worker, frame(requestHead(2)));
    const writesAfterTraffic = host.writes;

    // The room loaded at START; its first flush is due one interval later.
    host.clock = START + UNIT_CONFIG.statsFlushMs - 1;
    await room.alarm();
    expect(host.writes).toBe(writesAfterTraffic);
    host.clock = START + UNIT_CONFIG.statsFlushMs;
    await pong(room, host, peer);
    await room.alarm();
    expect(host.writes).toBe(writesAfterTraffic + 2);
    expect(host.stored.get('stats')).toMatchObject({ requestsSent: 2 });
    const told = host.takeKind(worker, 'stats').map((m) => m.body.requestsSent);
    expect(told).toEqual([2]);

    await room.message(worker, frame(requestHead(3)));
    await room.closed(worker, 1001);
    expect(host.stored.get('stats')).toMatchObject({ requestsSent: 3 });
  });

  it('holds chunks over the in-flight cap while control and WebSocket frames pass', async () => {
    const host = new MemoryHost();
    const room = newRoom(host);
    const worker = await join(room, host, 'worker');
    const peer = await join(room, host, 'peer');
    const full = UNIT_CONFIG.maxFrameSize - HEADER_SIZE;
    await room.message(worker, frame(requestHead(1)));
    await room.message(worker, frame(requestHead(2)));
    const wsOpen: Message = {
      kind: 'ws-open',
      streamId: 3,
      connectionId: 1,
      body: {
        url: 'wss://web.whatsapp.com/ws/chat',
        protocols: [],
        headers: [],
        deadlineMs: 1_000,
      },
    };
    await room.message(worker, frame(wsOpen));
    for (let fill = 1; fill <= 4; fill++) await room.message(worker, frame(chunk(1, full, fill)));
    await room.message(worker, frame(chunk(2, 100, 9)));
    await room.message(worker, frame({ kind: 'end', streamId: 2, connectionId: 1 }));
    const keepalive = new Uint8Array([1, 2, 3]);
    await room.message(
      worker,
      frame({ kind: 'ws-message', streamId: 3, connectionId: 1, binary: true, data: keepalive }),
    );

    const first = host.take(peer).filter((m) => m.kind === 'body' || m.kind === 'ws-message');
    expect(first.map((m) => `${m.kind}:${'streamId' in m ? m.streamId : 0}`)).toEqual([
      'body:1',
      'body:1',
      'body:1',
      'body:1',
      'ws-message:3',
    ]);
    expect(host.held).toBe(true);

    await room.message(
      peer,
      frame({ kind: 'credit', streamId: 1, connectionId: 1, bytes: 2 * full }),
    );
    expect(host.take(peer).map((m) => `${m.kind}:${'streamId' in m ? m.streamId : 0}`)).toEqual([
      'body:2',
      'end:2',
    ]);
    expect(host.takeKind(worker, 'credit').map((m) => m.bytes)).toEqual([2 * full]);
    expect(host.held).toBe(false);
  });

  it('resets the stream whose waiting chunks pass the queue cap, and no other', async () => {
    const host = new MemoryHost();
    const room = newRoom(host);
    const worker = await join(room, host, 'worker');
    const peer = await join(room, host, 'peer');
    const full = UNIT_CONFIG.maxFrameSize - HEADER_SIZE;
    for (const id of [1, 2, 3]) await room.message(worker, frame(requestHead(id)));
    for (let fill = 1; fill <= 4; fill++) await room.message(worker, frame(chunk(1, full, fill)));
    await room.message(worker, frame(chunk(2, full, 5)));
    await room.message(worker, frame(chunk(2, full, 6)));
    await room.message(worker, frame(chunk(3, 100, 7)));

    const resets = host.takeKind(worker, 'reset');
    expect(resets.map((m) => [m.streamId, m.body.code])).toEqual([[3, 'flow_control']]);
    const admin = await signToken(
      { tenant: 'taqueria', role: 'admin', ttlSeconds: 60, now: host.clock },
      KEYS,
    );
    const inspection = await room.inspect(admin);
    expect(inspection.streams.map((stream) => [stream.streamId, stream.queuedFrames])).toEqual([
      [1, 0],
      [2, 2],
    ]);
    expect(inspection.queuedBytes).toBe(2 * full);
    expect(host.take(peer).some((m) => m.kind === 'reset' && m.streamId === 3)).toBe(true);
  });

  it('judges a peer gone after the missed pings, with its socket still open', async () => {
    const host = new MemoryHost();
    const room = newRoom(host);
    const worker = await join(room, host, 'worker');
    const peer = await join(room, host, 'peer');
    // The first unanswered ping goes out one interval after the last pong.
    for (let round = 0; round <= UNIT_CONFIG.goneAfterMissedPings; round++) {
      host.clock += UNIT_CONFIG.pingIntervalMs;
      await room.alarm();
    }
    const presences = host.takeKind(worker, 'presence');
    const last = presences.at(-2)?.body;
    expect(last?.peers.map((info) => [info.peerId, info.health])).toEqual([[peer, 'gone']]);
    expect(presences.at(-1)?.body).toEqual({ primary: null, peers: [] });
    expect(host.sockets.get(peer)?.closed).toEqual({ code: 4032, reason: 'peer_timeout' });
  });
});
