import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { browserLikeFetch, untilStatus } from '../src/node/index.js';
import type { FetchLike, RelayPeer } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import type { RoomSocket } from './support/room.js';
import { TENANT, testPeer } from './support/peer.js';
import { patternBytes, sha256, TestUpstream } from './support/upstream.js';
import { readAnswer, relayGet, relayUpload, requestHead } from './support/worker.js';

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

interface FetchCall {
  readonly url: string;
  readonly init: RequestInit;
}

/** Node's fetch, with every call recorded. */
function recordingFetch(calls: FetchCall[], inner: FetchLike = (u, i) => fetch(u, i)): FetchLike {
  return (url, init) => {
    calls.push({ url, init });
    return inner(url, init);
  };
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

describe('the deadline of a relayed exchange', () => {
  it('resets with upstream_timeout when no answer comes in time', async () => {
    await joined();
    const deadlineMs = 300;
    const started = performance.now();
    const answer = await relayGet(socket, {
      streamId: 1,
      connectionId: 1,
      url: 'https://mmg.whatsapp.net/stall-head',
      deadlineMs,
    });
    const elapsed = performance.now() - started;
    console.log(`stalled head: reset after ${elapsed.toFixed(0)} ms (deadline ${deadlineMs} ms)`);
    expect(answer.head).toBeNull();
    expect(answer.reset?.code).toBe('upstream_timeout');
    expect(elapsed).toBeGreaterThanOrEqual(deadlineMs);
  });

  it(
    'covers the body too: a body that stalls ' + 'after the head is reset with upstream_timeout',
    async () => {
      await joined();
      const answer = await relayGet(socket, {
        streamId: 2,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/stall-body',
        deadlineMs: 300,
      });
      expect(answer.head?.status).toBe(200);
      expect(answer.body.byteLength).toBe(1024);
      expect(answer.reset?.code).toBe('upstream_timeout');
    },
  );
});

describe('a fetch the browser refuses', () => {
  it(
    'is browser_cors when the origin answers a no-cors ' +
      'request, without sending the original again',
    async () => {
      const calls: FetchCall[] = [];
      // A browser's fetch: the CORS read fails with a bare TypeError, the no-cors one is opaque.
      const browserish: FetchLike = async (_url, init) => {
        if (init.mode === 'no-cors') return new Response(null, { status: 200 });
        throw new TypeError('Failed to fetch');
      };
      await joined({ fetch: recordingFetch(calls, browserish) });
      const answer = await relayGet(socket, {
        streamId: 1,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/media/5mb?auth=secret',
      });
      expect(answer.reset?.code).toBe('browser_cors');
      expect(answer.reset?.message).not.toContain('secret');
      expect(
        calls.map((call) => [call.url, call.init.method, call.init.mode, call.init.body]),
      ).toEqual([
        [`${upstream.origin}/media/5mb?auth=secret`, 'GET', 'cors', undefined],
        [`${upstream.origin}/`, 'GET', 'no-cors', undefined],
      ]);
      expect(calls[0]?.init.credentials).toBe('omit');
      expect(calls[1]?.init.credentials).toBe('omit');
      expect(peer.stats().corsRefusals).toEqual({ 'mmg.whatsapp.net': 1 });
      expect(peer.legs.download.status).toBe('unavailable');
    },
  );

  it('is browser_network when the origin does not answer at all', async () => {
    const unreachable: FetchLike = async () => {
      throw new TypeError('Failed to fetch');
    };
    await joined({ fetch: unreachable });
    const answer = await relayGet(socket, {
      streamId: 1,
      connectionId: 1,
      url: 'https://mmg.whatsapp.net/media/5mb',
    });
    expect(answer.reset?.code).toBe('browser_network');
    expect(peer.stats().corsRefusals).toEqual({});
  });

  it(
    'is browser_cors through the Node peer’s browser ' +
      'rules against a host without allow-origin',
    async () => {
      const rules = { origin: 'https://orders.restaurant.test', userAgent: 'Test/1' };
      await joined({ fetch: browserLikeFetch((u, i) => fetch(u, i), rules) });
      const answer = await relayGet(socket, {
        streamId: 4,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/no-cors',
      });
      expect(answer.reset?.code).toBe('browser_cors');
      expect(upstream.requests.map((r) => [r.method, r.path, r.headers.origin])).toEqual([
        ['GET', '/no-cors', 'https://orders.restaurant.test'],
        ['GET', '/', undefined],
      ]);
    },
  );
});

describe('request bodies where streaming fails', () => {
  it(
    'are sent whole, byte-exact, after a runtime ' + 'refuses to stream (Chromium over HTTP/1.1)',
    async () => {
      const calls: FetchCall[] = [];
      const noStreams: FetchLike = async (url, init) => {
        if (init.body instanceof ReadableStream) throw new TypeError('Failed to fetch');
        return fetch(url, init);
      };
      await joined({ fetch: recordingFetch(calls, noStreams) });
      const body = patternBytes(2 * 1024 * 1024, 11);
      const first = await relayUpload(
        socket,
        { streamId: 1, connectionId: 1, url: 'https://mmg.whatsapp.net/upload' },
        body,
      );
      const second = await relayUpload(
        socket,
        { streamId: 2, connectionId: 1, url: 'https://mmg.whatsapp.net/upload' },
        body,
      );
      const expected = { bytes: 2 * 1024 * 1024, sha256: sha256(body), chunked: false };
      expect(JSON.parse(new TextDecoder().decode(first.body))).toEqual(expected);
      expect(JSON.parse(new TextDecoder().decode(second.body))).toEqual(expected);
      expect(calls.map((call) => call.init.body instanceof ReadableStream)).toEqual([
        true,
        false,
        false,
      ]);
    },
  );
});

describe('requests a browser cannot make', () => {
  it('refuses a forbidden method with bad_frame and sends nothing', async () => {
    await joined();
    const answer = await relayGet(socket, {
      streamId: 1,
      connectionId: 1,
      url: 'https://mmg.whatsapp.net/headers',
      method: 'TRACE',
    });
    expect(answer.reset?.code).toBe('bad_frame');
    expect(upstream.requests).toEqual([]);
  });

  it('refuses a GET that announces a body with bad_frame', async () => {
    await joined();
    socket.send(
      requestHead({ streamId: 2, connectionId: 1, url: 'https://mmg.whatsapp.net/headers' }, 10),
    );
    const answer = await readAnswer(socket, { streamId: 2, connectionId: 1 });
    expect(answer.reset?.code).toBe('bad_frame');
    expect(upstream.requests).toEqual([]);
  });
});
