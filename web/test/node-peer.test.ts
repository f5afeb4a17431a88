import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_PEER_DEFAULTS, nextEvent, startNodePeer, untilStatus } from '../src/node/index.js';
import { PEER_DEFAULTS } from '../src/peer/index.js';
import type { FetchLike } from '../src/peer/index.js';
import type { RelayPeer } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import type { RoomSocket } from './support/room.js';
import { devMap, peerToken, TENANT } from './support/peer.js';
import { patternBytes, sha256, TestUpstream } from './support/upstream.js';
import { relayGet, relayUpload } from './support/worker.js';

let room: TestRoom;
let upstream: TestUpstream;
let peer: RelayPeer;
let socket: RoomSocket;

const PAGE_ORIGIN = 'https://orders.pizzeria.test';

beforeEach(async () => {
  room = await TestRoom.start({ tenant: TENANT });
  upstream = await TestUpstream.start();
});

afterEach(async () => {
  peer?.stop();
  await room.close();
  await upstream.close();
});

type NodeOptions = Parameters<typeof startNodePeer>[0];

function start(probes: NodeOptions['probes'] = {}, extra: Partial<NodeOptions> = {}): RelayPeer {
  return startNodePeer({
    host: room.host,
    tenant: TENANT,
    getToken: () => peerToken(),
    mode: 'development',
    devHostMap: devMap(upstream),
    pageOrigin: PAGE_ORIGIN,
    probes: { websocket: null, download: null, upload: null, ...probes },
    ...extra,
  });
}

describe('the Node peer with browser rules', () => {
  it(
    'shows the upstream the page’s Origin and ' + 'a browser User-Agent, never the worker’s',
    async () => {
      peer = start();
      await untilStatus(peer, 'connected');
      socket = await room.socket(0);
      await relayGet(socket, {
        streamId: 1,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/headers',
        headers: [
          ['Origin', 'https://web.whatsapp.com'],
          ['User-Agent', 'Baileys'],
        ],
      });
      const seen = upstream.requests[0]?.headers;
      expect([seen?.origin, seen?.['user-agent']]).toEqual([
        PAGE_ORIGIN,
        NODE_PEER_DEFAULTS.userAgent,
      ]);
    },
  );

  it('preflights an upload as a browser would, then sends it byte-exact', async () => {
    peer = start();
    await untilStatus(peer, 'connected');
    socket = await room.socket(0);
    const body = patternBytes(1024 * 1024, 5);
    const answer = await relayUpload(
      socket,
      {
        streamId: 2,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/upload',
        headers: [['Content-Type', 'application/octet-stream']],
      },
      body,
    );
    expect(JSON.parse(new TextDecoder().decode(answer.body))).toMatchObject({
      bytes: 1024 * 1024,
      sha256: sha256(body),
    });
    expect(
      upstream.requests.map((r) => [r.method, r.headers['access-control-request-method']]),
    ).toEqual([
      ['OPTIONS', 'POST'],
      ['POST', undefined],
    ]);
  });

  it('reports the WebSocket leg unservable when the host refuses the page’s Origin', async () => {
    peer = start({
      websocket: { url: 'wss://web.whatsapp.com/ws/strict' },
      download: { url: 'https://mmg.whatsapp.net/headers', method: 'GET', headers: [] },
    });
    const legs = await nextEvent(peer, 'legs');
    expect(legs.websocket.status).toBe('unavailable');
    expect(legs.download).toEqual({ status: 'ok' });
    expect(legs.upload).toEqual({ status: 'unprobed' });
    expect(upstream.upgrades.map((u) => [u.path, u.headers.origin])).toEqual([
      ['/ws/strict', PAGE_ORIGIN],
    ]);
  });

  it(
    'probes a leg lost to a network failure ' + 'again soon, backing off, and finds it back',
    async () => {
      const retryMs = 200;
      const downMs = 5 * retryMs;
      // Every fetch of one probe (the request, then the reachability check) lands within a few ms.
      const failedAt: number[] = [];
      let down = true;
      const flaky: FetchLike = (input, init) => {
        if (!down) return fetch(input, init);
        failedAt.push(performance.now());
        return Promise.reject(new TypeError('fetch failed'));
      };
      peer = start(
        { download: { url: 'https://mmg.whatsapp.net/headers', method: 'GET', headers: [] } },
        { fetch: flaky, probeRetryMs: retryMs },
      );
      const lost = await nextEvent(peer, 'legs');
      expect(lost.download.status).toBe('unavailable');
      expect(lost.download.reason).toMatch(/^browser_network:/);
      await new Promise((resolve) => setTimeout(resolve, downMs));
      down = false;
      const upAt = performance.now();
      // Retries at 1, 3 and 7 times the first wait: the one after the line is back is due by 7.
      const bound = 7 * retryMs + PEER_DEFAULTS.probeTimeoutMs;
      const back = await Promise.race([
        nextEvent(peer, 'legs', (legs) => legs.download.status === 'ok'),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), bound)),
      ]);
      const attempts = failedAt.filter((at, i) => i === 0 || at - failedAt[i - 1]! > retryMs / 2);
      console.log(
        `[probes] ${attempts.length} probes in ${downMs} ` +
          `ms down (first retry after ${retryMs} ms); ` +
          `leg back ${(performance.now() - upAt).toFixed(0)} ms after the line (bound ${bound} ms)`,
      );
      expect(back?.download).toEqual({ status: 'ok' });
      // A fixed wait would have probed about six times; doubling waits, three.
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(attempts.length).toBeLessThanOrEqual(4);
    },
  );

  it('leaves from the source address it is given, for fetches and WebSockets alike', async () => {
    peer = start(
      {
        websocket: { url: 'wss://web.whatsapp.com/ws/chat' },
        download: { url: 'https://mmg.whatsapp.net/headers', method: 'GET', headers: [] },
      },
      { localAddress: '127.0.0.2' },
    );
    const legs = await nextEvent(peer, 'legs');
    expect([legs.websocket.status, legs.download.status]).toEqual(['ok', 'ok']);
    expect(upstream.upgrades.map((u) => u.remoteAddress)).toEqual(['127.0.0.2']);
    expect(new Set(upstream.requests.map((r) => r.remoteAddress))).toEqual(new Set(['127.0.0.2']));
    expect(room.remoteAddresses).toEqual(['127.0.0.2']);
  });
});
