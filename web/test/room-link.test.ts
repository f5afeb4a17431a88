import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_DEFAULTS } from '@pasarela/shared';
import type { TenantStatus } from '@pasarela/shared';
import { nextEvent, untilStatus } from '../src/node/index.js';
import type { RelayPeer } from '../src/peer/index.js';
import { TestRoom } from './support/room.js';
import type { RoomSocket } from './support/room.js';
import { peerToken, TENANT, testPeer } from './support/peer.js';
import { TestUpstream } from './support/upstream.js';
import { readAnswer, relayGet, requestHead } from './support/worker.js';

const PINNED_NOW = 1_800_000_000_000;

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

const UNPROBED = {
  websocket: { status: 'unprobed' },
  download: { status: 'unprobed' },
  upload: { status: 'unprobed' },
};

beforeEach(async () => {
  room = await TestRoom.start({ tenant: TENANT });
  upstream = await TestUpstream.start();
});

afterEach(async () => {
  peer?.stop();
  await room.close();
  await upstream.close();
});

describe('joining the room', () => {
  it('opens /parties/tunnel/<tenant> with a token and sends its own Hello first', async () => {
    await joined();
    expect(socket.claims).toMatchObject({ tenant: TENANT, role: 'peer' });
    expect(socket.frames[0]).toEqual({
      kind: 'hello',
      body: {
        protocol: 1,
        role: 'peer',
        software: 'pasarela-web-peer/0.1.0',
        capabilities: ['http', 'websocket', 'request-streaming'],
        limits: PROTOCOL_DEFAULTS,
      },
    });
    expect(peer.welcome?.tenant).toBe(TENANT);
  });

  it('reports its state and legs right after Welcome', async () => {
    await joined();
    const state = await socket.next('peer-state');
    expect(state.body).toEqual({ state: 'active', legs: UNPROBED });
  });

  it('answers Ping with Pong echoing the room’s time and giving its own', async () => {
    await joined({ now: () => PINNED_NOW });
    socket.send({ kind: 'ping', sentAt: 1234.5 });
    const pong = await socket.next('pong');
    expect(pong).toEqual({ kind: 'pong', sentAt: 1234.5, repliedAt: PINNED_NOW });
    expect(peer.stats().pingsAnswered).toBe(1);
  });

  it('tells the page the tenant status the room relays', async () => {
    await joined();
    const status: TenantStatus = {
      session: 'connected',
      policy: 'prefer-tunnel',
      routes: { websocket: 'tunnel', download: 'tunnel', upload: 'direct' },
      protected: true,
      leaks: 0,
      reason: null,
      updatedAt: 1_700_000_000_000,
    };
    const seen = nextEvent(peer, 'tenant-status');
    socket.send({ kind: 'tenant-status', body: status });
    expect(await seen).toEqual(status);
    expect(peer.tenantStatus).toEqual(status);
  });

  it('drops and counts stream frames that come before Welcome', async () => {
    await room.close();
    room = await TestRoom.start({ tenant: TENANT, welcome: false });
    peer = testPeer(room, upstream);
    peer.start();
    await untilStatus(peer, 'handshaking');
    socket = await room.socket(0);
    const dropped = nextEvent(peer, 'dropped');
    socket.send(requestHead({ streamId: 1, connectionId: 1, url: 'https://mmg.whatsapp.net/' }, 0));
    expect(await dropped).toEqual({
      reason: 'before-welcome',
      frameType: 'RequestHead',
      streamId: 1,
      connectionId: 1,
    });
    expect(upstream.requests).toEqual([]);
  });

  it('gives up a socket with no Welcome after the handshake timeout and tries again', async () => {
    await room.close();
    room = await TestRoom.start({ tenant: TENANT, welcome: false });
    peer = testPeer(room, upstream, { handshakeTimeoutMs: 200 });
    peer.start();
    const retry = await nextEvent(peer, 'status', (e) => e.cause === 'handshake-timeout');
    expect(retry).toMatchObject({ status: 'connecting', willRetry: true });
    await room.socket(1);
  });

  it('fetches a fresh token for every attempt', async () => {
    await joined();
    peer.reconnect();
    await room.socket(1);
    await untilStatus(peer, 'connected');
    expect(room.tokens).toHaveLength(2);
    expect(room.tokens[0]).not.toBe(room.tokens[1]);
  });
});

describe('staff pause', () => {
  it(
    'stays joined, says paused, and refuses ' + 'new streams with peer_paused until resumed',
    async () => {
      await joined();
      await socket.next('peer-state');
      peer.pause();
      expect((await socket.next('peer-state')).body.state).toBe('paused');

      const refused = await relayGet(socket, {
        streamId: 1,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/headers',
      });
      socket.send({
        kind: 'ws-open',
        streamId: 2,
        connectionId: 1,
        body: {
          url: 'wss://web.whatsapp.com/ws/chat',
          protocols: [],
          headers: [],
          deadlineMs: 5_000,
        },
      });
      const socketRefusal = await socket.next('reset', 2);
      expect([refused.reset?.code, socketRefusal.body.code]).toEqual([
        'peer_paused',
        'peer_paused',
      ]);
      expect(upstream.requests).toEqual([]);
      expect(upstream.upgrades).toEqual([]);
      expect(peer.status).toBe('connected');

      peer.resume();
      expect((await socket.next('peer-state')).body.state).toBe('active');
      const served = await relayGet(socket, {
        streamId: 3,
        connectionId: 1,
        url: 'https://mmg.whatsapp.net/headers',
      });
      expect(served.head?.status).toBe(200);
    },
  );
});

describe('the stream cap', () => {
  it('refuses a stream past maxStreams with too_many_streams', async () => {
    await joined({ maxStreams: 1 });
    socket.send({
      kind: 'ws-open',
      streamId: 1,
      connectionId: 1,
      body: {
        url: 'wss://web.whatsapp.com/ws/chat',
        protocols: [],
        headers: [],
        deadlineMs: 5_000,
      },
    });
    await socket.next('ws-opened', 1);
    socket.send(requestHead({ streamId: 2, connectionId: 1, url: 'https://mmg.whatsapp.net/' }, 0));
    const answer = await readAnswer(socket, { streamId: 2, connectionId: 1 });
    expect(answer.reset?.code).toBe('too_many_streams');
  });
});

describe('probing the legs', () => {
  it('reports which legs the page can serve, with the reason for one it cannot', async () => {
    await joined({
      probes: {
        websocket: { url: 'wss://web.whatsapp.com/ws/refuse' },
        download: { url: 'https://mmg.whatsapp.net/headers', method: 'GET', headers: [] },
        upload: {
          url: 'https://mmg.whatsapp.net/upload',
          method: 'POST',
          headers: [['Content-Type', 'application/octet-stream']],
        },
      },
    });
    expect((await socket.next('peer-state')).body.legs).toEqual(UNPROBED);
    const probed = (await socket.next('peer-state')).body.legs;
    expect(probed.download).toEqual({ status: 'ok' });
    expect(probed.upload).toEqual({ status: 'ok' });
    expect(probed.websocket.status).toBe('unavailable');
    expect(probed.websocket.reason).toMatch(/^upstream_refused: web\.whatsapp\.com refused/);
    expect(upstream.requests.map((r) => [r.method, r.path]).sort()).toEqual([
      ['GET', '/headers'],
      ['POST', '/upload'],
    ]);
  });
});

describe('a token for another tenant', () => {
  it('is refused by the room, and the status says why', async () => {
    peer = testPeer(room, upstream, {
      getToken: () => peerToken('another-tenant'),
      reconnect: { maxRetries: 0, minDelayMs: 50, maxDelayMs: 50 },
    });
    peer.start();
    const offline = await untilStatus(peer, 'offline');
    expect(offline).toMatchObject({
      closeCode: 4014,
      errorCode: 'auth_wrong_tenant',
      willRetry: false,
    });
  });
});
