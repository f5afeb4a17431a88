import { once } from 'node:events';
import type { EgressPolicy } from '@pasarela/shared';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { codeOf } from '../support/egress-fixture.js';
import { payload, sha256 } from '../support/payload.js';
import { waitFor } from '../support/settle.js';
import { BOUNDS, relayFixture, untilTunnelReady } from './support/fixture.js';
import type { RelayFixture } from './support/fixture.js';
import { startMediaUpstream } from './support/media-upstream.js';
import type { MediaUpstream } from './support/media-upstream.js';
import { PEER_ADDRESS, startTestPeer, upstreamDevMap, WORKER_ADDRESS } from './support/peer.js';
import { recordingRoomSocket } from './support/recording-socket.js';
import type { RoomSocketRecord } from './support/recording-socket.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';

const CHAT = 'wss://web.whatsapp.com/ws/chat';
const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
let upstream: MediaUpstream;
let fixture: RelayFixture;
let peer: RelayPeer;
let sockets: RoomSocketRecord;
let tenantSeq = 0;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startMediaUpstream().then((u) => (upstream = u))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await room.stop();
  await upstream.close();
});

afterEach(async () => {
  upstream.refuseForeignOrigin = false;
  peer?.stop();
  await fixture?.close();
});

async function tunnelUp(policy: EgressPolicy = 'prefer-tunnel'): Promise<string> {
  const tenant = `relay-ws-${++tenantSeq}`;
  sockets = recordingRoomSocket();
  fixture = relayFixture({
    roomHost: room.host,
    keys: keys.keys,
    tenant,
    policy,
    hostMap: { 'web.whatsapp.com': upstream.address, '*.whatsapp.net': upstream.address },
    ca: upstream.ca,
    WebSocket: sockets.WebSocket,
  });
  peer = startTestPeer({
    roomHost: room.host,
    tenant,
    keys: keys.keys,
    devHostMap: upstreamDevMap(upstream.origin),
    ca: upstream.ca,
  });
  await untilTunnelReady(fixture.egress, BOUNDS.peerJoinMs, 'websocket');
  return tenant;
}

/** Opens a socket the way Baileys 7.0.0-rc14 does (Socket/Client/websocket.js). */
function baileysStyleSocket(): WebSocket {
  const ws = new WebSocket(CHAT, {
    origin: 'https://web.whatsapp.com',
    handshakeTimeout: 20_000,
    timeout: 20_000,
    agent: fixture.egress.agent,
  });
  ws.on('unexpected-response', () => {});
  return ws;
}

function nextMessage(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve) => {
    ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary }));
  });
}

function chatUpgrades() {
  return upstream.seen.filter((entry) => entry.kind === 'ws' && entry.path === '/ws/chat');
}

describe('a relayed upstream WebSocket', () => {
  it(
    'keeps message boundaries and the binary ' + 'bit both ways, opened from the restaurant',
    async () => {
      await tunnelUp();
      const before = chatUpgrades().length;
      const ws = baileysStyleSocket();
      await once(ws, 'open');
      const sent = [
        { data: payload(1, 'a'), binary: true },
        { data: Buffer.from('hello over the tunnel'), binary: false },
        { data: payload(200_000, 'b'), binary: true },
      ];
      const echoed: Array<{ digest: string; binary: boolean }> = [];
      for (const message of sent) {
        const answer = nextMessage(ws);
        ws.send(message.data, { binary: message.binary });
        const { data, binary } = await answer;
        echoed.push({ digest: sha256(data), binary });
      }

      expect(echoed).toEqual(sent.map((m) => ({ digest: sha256(m.data), binary: m.binary })));
      const upgrades = chatUpgrades().slice(before);
      expect(upgrades.map((entry) => entry.remoteAddress)).toEqual([PEER_ADDRESS]);
      expect(upgrades[0]?.origin).toBe('https://orders.restaurant.test');
      expect(fixture.egress.activity().websocket).toMatchObject({
        route: 'tunnel',
        established: true,
      });
      ws.close();
    },
  );

  it(
    'hands Baileys the upstream close code ' + "and reason, and the upstream Baileys' own",
    async () => {
      await tunnelUp();
      const first = baileysStyleSocket();
      await once(first, 'open');
      const closed = once(first, 'close');
      first.send('close 4001 going away now');
      const [code, reason] = (await closed) as [number, Buffer];
      expect({ code, reason: reason.toString() }).toEqual({ code: 4001, reason: 'going away now' });

      const second = baileysStyleSocket();
      await once(second, 'open');
      const closes = upstream.closes.length;
      second.close(4100, 'baileys ends');
      await waitFor(
        () => (upstream.closes.length > closes ? true : undefined),
        'the close upstream',
      );
      expect(upstream.closes.at(-1)).toEqual({ code: 4100, reason: 'baileys ends' });
    },
  );

  it(
    'closes a message larger than one frame with 1009 ' +
      'and a coded reset, while other streams go on',
    async () => {
      await tunnelUp();
      const ws = baileysStyleSocket();
      await once(ws, 'open');
      const download = fetch('https://mmg.whatsapp.net/blob/3000000', {
        dispatcher: fixture.egress.dispatcher,
      } as RequestInit).then(async (response) => Buffer.from(await response.arrayBuffer()));
      const closed = once(ws, 'close');
      ws.send(payload(300 * 1024, 'too large'));
      const [code] = (await closed) as [number];
      const body = await download;

      expect(code).toBe(1009);
      expect(sha256(body)).toBe(sha256(payload(3_000_000)));
      const stats = fixture.service.stats(fixture.egress.tenant)!;
      expect(stats.routes.tunnel.failed).toEqual({});
      expect(sockets.largestSent()).toBeLessThanOrEqual(256 * 1024);
      expect(sockets.largestReceived()).toBeLessThanOrEqual(256 * 1024);
    },
  );

  it(
    'sends a WebSocket WhatsApp refuses for the ' +
      "page's Origin direct at once, and keeps it there",
    async () => {
      const tenant = await tunnelUp();
      upstream.refuseForeignOrigin = true;
      const before = chatUpgrades().length;
      const ws = baileysStyleSocket();
      await once(ws, 'open');

      expect(
        chatUpgrades()
          .slice(before)
          .map((entry) => [entry.remoteAddress, entry.origin]),
      ).toEqual([
        [PEER_ADDRESS, 'https://orders.restaurant.test'],
        [WORKER_ADDRESS, 'https://web.whatsapp.com'],
      ]);
      expect(fixture.egress.activity().websocket).toMatchObject({
        route: 'direct',
        reason: 'tunnel_failed',
      });
      const status = fixture.service.status(tenant)!;
      expect(status.routes.websocket).toBe('direct');
      expect(status.protected).toBe(false);
      expect(status.reason).toMatch(/^websocket leg unavailable/);

      ws.close();
      const again = baileysStyleSocket();
      await once(again, 'open');
      expect(
        chatUpgrades()
          .slice(before + 2)
          .map((entry) => entry.remoteAddress),
      ).toEqual([WORKER_ADDRESS]);
      again.close();
    },
  );

  it('fails a refused WebSocket at once with its code under tunnel-only', async () => {
    await tunnelUp('tunnel-only');
    upstream.refuseForeignOrigin = true;
    const before = chatUpgrades().length;
    const ws = baileysStyleSocket();
    const [error] = (await once(ws, 'error')) as [Error];

    expect(codeOf(error)).toBe('upstream_refused');
    expect(
      chatUpgrades()
        .slice(before)
        .map((entry) => entry.remoteAddress),
    ).toEqual([PEER_ADDRESS]);
  });
});
