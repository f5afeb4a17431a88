import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { untilStatus } from '../src/node/index.js';
import type { FetchLike, RelayPeer, WebSocketConstructor } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import type { RoomSocket } from './support/room.js';
import { devMap, NodeWebSocket, TENANT, testPeer } from './support/peer.js';
import { TestUpstream } from './support/upstream.js';
import { readAnswer, requestHead } from './support/worker.js';

let room: TestRoom;
let upstream: TestUpstream;
let peer: RelayPeer;
let socket: RoomSocket;
let fetched: string[];
let opened: string[];

/** Node's fetch and `ws`, recording every target except the room itself. */
function spies(): { fetch: FetchLike; WebSocket: WebSocketConstructor } {
  const fetchSpy: FetchLike = (url, init) => {
    fetched.push(url);
    return fetch(url, init);
  };
  class SpyWebSocket extends (NodeWebSocket as unknown as new (
    url: string,
    protocols?: string | string[],
  ) => object) {
    constructor(url: string, protocols?: string | string[]) {
      if (!url.includes('/parties/tunnel/')) opened.push(url);
      super(url, protocols);
    }
  }
  return { fetch: fetchSpy, WebSocket: SpyWebSocket as unknown as WebSocketConstructor };
}

beforeEach(async () => {
  room = await TestRoom.start({ tenant: TENANT });
  upstream = await TestUpstream.start();
  fetched = [];
  opened = [];
});

afterEach(async () => {
  peer?.stop();
  await room.close();
  await upstream.close();
});

async function refusals(urls: readonly string[], kind: 'http' | 'websocket'): Promise<string[]> {
  const codes: string[] = [];
  let streamId = 100;
  for (const url of urls) {
    streamId += 1;
    const ids = { streamId, connectionId: 1 };
    if (kind === 'http') {
      socket.send(requestHead({ ...ids, url }, 0));
      socket.send({ kind: 'end', ...ids });
      codes.push((await readAnswer(socket, ids)).reset?.code ?? 'served');
    } else {
      socket.send({
        kind: 'ws-open',
        ...ids,
        body: { url, protocols: [], headers: [], deadlineMs: 5_000 },
      });
      const answer = await socket.take(
        (m) =>
          'streamId' in m && m.streamId === streamId && ['reset', 'ws-opened'].includes(m.kind),
      );
      codes.push(answer.kind === 'reset' ? answer.body.code : 'opened');
    }
  }
  return codes;
}

describe('targets outside the WhatsApp list', () => {
  it('are refused with host_not_allowed and no request leaves the peer', async () => {
    peer = testPeer(room, null, { ...spies() });
    peer.start();
    await untilStatus(peer, 'connected');
    socket = await room.socket(0);
    const http = [
      `${upstream.origin}/media/5mb`,
      'https://127.0.0.1/',
      'https://10.0.0.8/',
      'https://192.168.1.1/',
      'https://172.16.0.1/',
      'https://100.64.0.1/',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/',
      'https://[fe80::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://2130706433/',
      'https://example.com/',
      'https://mmg.whatsapp.net.example.com/',
      'https://evilwhatsapp.net/',
      'http://mmg.whatsapp.net/',
      'https://user:pass@mmg.whatsapp.net/',
    ];
    const sockets = [
      upstream.origin.replace('http:', 'ws:') + '/ws/chat',
      'wss://127.0.0.1/ws/chat',
      'wss://10.1.2.3/ws/chat',
      'ws://web.whatsapp.com/ws/chat',
      'wss://example.com/ws/chat',
      'https://web.whatsapp.com/ws/chat',
    ];
    expect(await refusals(http, 'http')).toEqual(http.map(() => 'host_not_allowed'));
    expect(await refusals(sockets, 'websocket')).toEqual(sockets.map(() => 'host_not_allowed'));
    expect(fetched).toEqual([]);
    expect(opened).toEqual([]);
    expect(upstream.requests).toEqual([]);
    expect(upstream.upgrades).toEqual([]);
  });

  it(
    'stay refused with the development map ' + 'on: the map only redirects WhatsApp names',
    async () => {
      peer = testPeer(room, upstream, { ...spies() });
      peer.start();
      await untilStatus(peer, 'connected');
      socket = await room.socket(0);
      const direct = [`${upstream.origin}/media/5mb`, 'https://localhost/', 'https://10.0.0.8/'];
      expect(await refusals(direct, 'http')).toEqual(direct.map(() => 'host_not_allowed'));
      expect(await refusals(['https://mmg.whatsapp.net/headers'], 'http')).toEqual(['served']);
      expect(fetched).toEqual([`${upstream.origin}/headers`]);
      expect(upstream.requests.map((r) => r.path)).toEqual(['/headers']);
    },
  );
});

describe('the development map', () => {
  it('is refused outside development mode, naming the field', () => {
    expect(() => testPeer(room, null, { devHostMap: devMap(upstream) })).toThrow(
      'peer option devHostMap: is refused unless mode is "development"',
    );
  });
});
