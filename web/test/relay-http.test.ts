import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { untilStatus } from '../src/node/index.js';
import type { RelayPeer } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import type { RoomSocket } from './support/room.js';
import { TENANT, testPeer } from './support/peer.js';
import { FIVE_MB, patternBytes, sha256, TestUpstream } from './support/upstream.js';
import { readAnswer, relayGet, relayUpload, requestHead } from './support/worker.js';
import { ReceiveWindow } from '@pasarela/shared';

// SHA-256 of the test's 5 MB patterns (seeds 0x9e3779b9 and 7), written out.
const MEDIA_SHA256 = '47bb007417221f0eadc05a508c7cfff6deeb7dccfc647de2e77953b490d93982';
const UPLOAD_SHA256 = '1c1da11181d34653030d5318f13fc73f19f227216c725fadb269ca3b0ee31825';
const MAX_CHUNK = 256 * 1024 - 16;

let room: TestRoom;
let upstream: TestUpstream;
let peer: RelayPeer;
let socket: RoomSocket;

async function joined(options: Parameters<typeof testPeer>[2] = {}): Promise<void> {
  peer = testPeer(room, upstream, options);
  peer.start();
  await untilStatus(peer, 'connected');
  socket = await room.socket(0);
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

describe('a relayed download', () => {
  it(
    'arrives byte-exact (5 MB) in chunks no ' + 'larger than a frame, within the credit given',
    async () => {
      await joined();
      expect(sha256(upstream.media)).toBe(MEDIA_SHA256);

      const answer = await relayGet(socket, {
        streamId: 1,
        connectionId: 7,
        url: 'https://mmg.whatsapp.net/media/5mb?auth=secret',
      });

      expect(answer.reset).toBeNull();
      expect(answer.head?.status).toBe(200);
      expect(answer.body.byteLength).toBe(FIVE_MB);
      expect(sha256(answer.body)).toBe(MEDIA_SHA256);
      expect(Math.max(...answer.chunkSizes)).toBeLessThanOrEqual(MAX_CHUNK);
      expect(upstream.requests.map((r) => r.path)).toEqual(['/media/5mb?auth=secret']);
    },
  );

  it('reports the requested URL, partial headers, and only headers a page could read', async () => {
    await joined();
    const answer = await relayGet(socket, {
      streamId: 1,
      connectionId: 1,
      url: 'https://mmg.whatsapp.net/headers',
    });
    expect(answer.head).toMatchObject({
      status: 200,
      url: 'https://mmg.whatsapp.net/headers',
      redirected: false,
      opaque: false,
      partialHeaders: true,
    });
    expect(answer.head?.headers).toEqual([
      ['cache-control', 'no-store'],
      ['content-type', 'application/json'],
      ['x-exposed', 'visible'],
    ]);
  });

  it('drops the request headers a browser forbids and names them in the answer', async () => {
    await joined();
    const answer = await relayGet(socket, {
      streamId: 3,
      connectionId: 1,
      url: 'https://mmg.whatsapp.net/headers',
      headers: [
        ['Origin', 'https://web.whatsapp.com'],
        ['Cookie', 'wa=1'],
        ['Host', 'mmg.whatsapp.net'],
        ['User-Agent', 'Baileys'],
        ['Content-Length', '0'],
        ['Connection', 'keep-alive'],
        ['Sec-Ch-Ua', '"Baileys"'],
        ['Proxy-Authorization', 'Basic eA=='],
        ['Accept-Encoding', 'gzip'],
        ['X-HTTP-Method-Override', 'TRACE'],
        ['Range', 'bytes=0-10'],
        ['X-Wa-Client', 'kept'],
      ],
    });
    expect(answer.head?.droppedRequestHeaders).toEqual([
      'origin',
      'cookie',
      'host',
      'user-agent',
      'content-length',
      'connection',
      'sec-ch-ua',
      'proxy-authorization',
      'accept-encoding',
      'x-http-method-override',
    ]);
    const seen = upstream.requests[0]?.headers ?? {};
    expect(seen.cookie).toBeUndefined();
    expect(seen.origin).toBeUndefined();
    expect(seen['sec-ch-ua']).toBeUndefined();
    expect(seen['proxy-authorization']).toBeUndefined();
    expect(seen['x-http-method-override']).toBeUndefined();
    expect(seen['user-agent']).not.toBe('Baileys');
    expect(seen.range).toBe('bytes=0-10');
    expect(seen['x-wa-client']).toBe('kept');
  });

  it('answers a redirect as an opaque one, as a browser must, and follows nothing', async () => {
    await joined();
    const answer = await relayGet(socket, {
      streamId: 5,
      connectionId: 1,
      url: 'https://mmg.whatsapp.net/redirect',
    });
    expect(answer.head).toMatchObject({ status: 0, opaque: true, headers: [] });
    expect(answer.body.byteLength).toBe(0);
    expect(upstream.requests.map((r) => r.path)).toEqual(['/redirect']);
  });
});

describe('frames that cross the end of a stream', () => {
  it('are not counted as dropped: the End of a GET that arrives after its answer', async () => {
    await joined();
    socket.send(
      requestHead({ streamId: 31, connectionId: 2, url: 'https://mmg.whatsapp.net/headers' }, 0),
    );
    const first = await readAnswer(socket, { streamId: 31, connectionId: 2 });
    socket.send({ kind: 'end', streamId: 31, connectionId: 2 });
    // A later exchange is answered only after the late End was handled.
    const second = await relayGet(socket, {
      streamId: 32,
      connectionId: 2,
      url: 'https://mmg.whatsapp.net/headers',
    });

    expect([first.head?.status, second.head?.status]).toEqual([200, 200]);
    expect(peer.stats().dropped).toEqual({ total: 0, byReason: {} });
  });
});

describe('a relayed upload', () => {
  it('arrives byte-exact (5 MB), streamed, sent only as the peer grants credit', async () => {
    await joined();
    const body = patternBytes(FIVE_MB, 7);
    const answer = await relayUpload(
      socket,
      { streamId: 11, connectionId: 2, url: 'https://mmg.whatsapp.net/upload?auth=secret' },
      body,
      { chunkSize: MAX_CHUNK },
    );
    expect(answer.reset).toBeNull();
    const reply = JSON.parse(new TextDecoder().decode(answer.body)) as Record<string, unknown>;
    expect(reply).toEqual({ bytes: FIVE_MB, sha256: UPLOAD_SHA256, chunked: true });
  });

  it('arrives byte-exact (5 MB) whole where streaming is off', async () => {
    await joined({ requestStreaming: 'never' });
    const answer = await relayUpload(
      socket,
      { streamId: 12, connectionId: 2, url: 'https://mmg.whatsapp.net/upload' },
      patternBytes(FIVE_MB, 7),
    );
    const reply = JSON.parse(new TextDecoder().decode(answer.body)) as Record<string, unknown>;
    expect(reply).toEqual({ bytes: FIVE_MB, sha256: UPLOAD_SHA256, chunked: false });
  });

  it(
    'streams a body of unknown length: its first ' +
      'chunk reaches the host before its end is sent',
    async () => {
      await joined();
      const body = patternBytes(600 * 1024, 3);
      const answer = await relayUpload(
        socket,
        { streamId: 13, connectionId: 2, url: 'https://mmg.whatsapp.net/upload' },
        body,
        {
          announceLength: false,
          chunkSize: 64 * 1024,
          afterFirstChunk: async () => {
            expect(await upstream.firstChunk).toBeGreaterThan(0);
          },
        },
      );
      const reply = JSON.parse(new TextDecoder().decode(answer.body)) as Record<string, unknown>;
      expect(reply).toEqual({ bytes: 600 * 1024, sha256: sha256(body), chunked: true });
    },
  );

  it(
    'goes whole, once, when it is not safe to ' + 'repeat and its host was never seen streaming',
    async () => {
      await joined();
      const answer = await relayUpload(
        socket,
        {
          streamId: 15,
          connectionId: 2,
          url: 'https://mmg.whatsapp.net/upload',
          replaySafe: false,
        },
        patternBytes(FIVE_MB, 7),
        { chunkSize: MAX_CHUNK },
      );
      const reply = JSON.parse(new TextDecoder().decode(answer.body)) as Record<string, unknown>;
      expect(reply).toEqual({ bytes: FIVE_MB, sha256: UPLOAD_SHA256, chunked: false });
      expect(upstream.requests).toHaveLength(1);
    },
  );

  it('is refused with body_too_large when it must be held whole and passes the cap', async () => {
    await joined({ requestStreaming: 'never', maxBufferedBodyBytes: 1024 * 1024 });
    socket.send(
      requestHead(
        { streamId: 14, connectionId: 2, url: 'https://mmg.whatsapp.net/upload', method: 'POST' },
        2 * 1024 * 1024,
      ),
    );
    const answer = await readAnswer(socket, { streamId: 14, connectionId: 2 });
    expect(answer.reset?.code).toBe('body_too_large');
    expect(upstream.requests).toEqual([]);
  });
});

describe('bytes in flight', () => {
  it(
    'never pass maxBytesInFlight over all ' + 'streams, until the worker credits them back',
    async () => {
      const cap = 256 * 1024;
      await joined({ maxBytesInFlight: cap });
      const streams = [31, 32];
      const windows = new Map(
        streams.map((id) => [id, new ReceiveWindow(socket.limits.streamWindow)]),
      );
      const pending = new Map(streams.map((id) => [id, 0]));
      const received = new Map(streams.map((id) => [id, 0]));
      let outstanding = 0;
      let peak = 0;
      for (const streamId of streams) {
        socket.send(
          requestHead({ streamId, connectionId: 1, url: 'https://mmg.whatsapp.net/media/5mb' }, 0),
        );
        socket.send({ kind: 'end', streamId, connectionId: 1 });
      }
      let open = streams.length;
      while (open > 0) {
        const message = await socket.take(
          (m) =>
            (m.kind === 'body' || m.kind === 'end' || m.kind === 'reset') &&
            streams.includes(m.streamId),
        );
        if (message.kind === 'reset') throw new Error(`stream reset: ${message.body.code}`);
        if (message.kind === 'end') {
          outstanding -= pending.get(message.streamId) ?? 0;
          pending.set(message.streamId, 0);
          open -= 1;
          continue;
        }
        if (message.kind !== 'body') continue;
        const size = message.data.byteLength;
        windows.get(message.streamId)?.received(size);
        received.set(message.streamId, (received.get(message.streamId) ?? 0) + size);
        pending.set(message.streamId, (pending.get(message.streamId) ?? 0) + size);
        outstanding += size;
        peak = Math.max(peak, outstanding);
        expect(outstanding).toBeLessThanOrEqual(cap);
        // Credit only once the peer has used its whole budget, so the cap is really reached.
        if (outstanding === cap) {
          for (const streamId of streams) {
            const bytes = windows.get(streamId)?.consumed(pending.get(streamId) ?? 0) ?? 0;
            if (bytes > 0) socket.send({ kind: 'credit', streamId, connectionId: 1, bytes });
            outstanding -= pending.get(streamId) ?? 0;
            pending.set(streamId, 0);
          }
        }
      }
      expect(peak).toBe(cap);
      expect([...received.values()]).toEqual([FIVE_MB, FIVE_MB]);
    },
  );
});
