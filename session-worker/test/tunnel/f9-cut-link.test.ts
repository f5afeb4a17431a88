import { startStandin } from '@pasarela/standin';
import type { ContactView, RecordsSnapshot, Standin } from '@pasarela/standin';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTenant, statuses } from '../session/support/harness.js';
import { DelayRelay } from './support/delay-relay.js';
import { BOUNDS, TEST_TUNNEL_SETTINGS } from './support/fixture.js';
import { PEER_ADDRESS, WORKER_ADDRESS } from './support/peer.js';
import { until } from './support/until.js';
import { recordingRoomSocket } from './support/recording-socket.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, startStack } from './support/stack.js';
import type { Stack } from './support/stack.js';

/**
 * FIELD-NOTES F9: with the WebSocket tunneled, the peer's link is cut for
 * 5 s while Baileys sends 10 messages. None of them reaches a later
 * upstream connection, the frames that lost their connection are dropped
 * and counted, Baileys sees a close of the product's own and logs in
 * again, and every room socket the worker opens starts with its Hello.
 */
const CUT_MS = 5_000;
const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
const sockets = recordingRoomSocket();
let relay: DelayRelay;
/** The worker's own link to the room of the tenant whose link is cut. */
let workerRelay: DelayRelay;
let standin: Standin;
let stack: Stack;
let contact: ContactView;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startStandin().then((s) => (standin = s))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
  relay = await new DelayRelay({ host: '127.0.0.1', port: room.port }).listen();
  workerRelay = await new DelayRelay({ host: '127.0.0.1', port: room.port }).listen();
  stack = await startStack({
    standin,
    room,
    keys,
    WebSocket: sockets.WebSocket,
    roomFor: (tenant) => ({
      protocol: 'ws',
      host: tenant === 'f9-worker-cut' ? workerRelay.host : room.host,
    }),
  });
  contact = await standin.control.createContact({ name: 'F9 Customer' });
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await relay?.close();
  await workerRelay?.close();
  await room.stop();
  await standin?.close();
});

/** Frames the stand-in read on one upstream connection. */
function connectionFrames(records: RecordsSnapshot, id: string): number {
  return records.connections.find((connection) => connection.id === id)?.framesIn ?? 0;
}

describe('F9: frames of a dead connection never reach a new one', () => {
  it('drops what Baileys sent while the peer was cut off, and logs in again', async () => {
    const tenant = 'f9-cut';
    const phone = '15550100901';
    const peer: RelayPeer = await stack.startPeer(tenant, { roomHost: relay.host });
    await pairTenant(stack.harness, standin, tenant, phone);
    const before = await standin.control.records();
    const tunneled = connectionsOf(before, phone).at(-1)!;
    expect(tunneled.remoteAddress).toBe(PEER_ADDRESS);
    const from = stack.harness.transitions.length;

    const jid = `${contact.phone}@s.whatsapp.net`;
    const framesBefore = connectionFrames(before, tunneled.id);

    relay.cut();
    // Ten frames that wait for no answer: typing notices to the contact.
    const sent = await Promise.allSettled(
      Array.from({ length: 10 }, () =>
        stack.harness.manager.withSocket(tenant, (sock) =>
          sock.sendPresenceUpdate('composing', jid),
        ),
      ),
    );
    expect(sent.map((result) => result.status)).toEqual(Array(10).fill('fulfilled'));
    // The room gives the silent peer up; the worker moves Baileys direct.
    await stack.harness.reach(
      tenant,
      'connected',
      BOUNDS.peerGoneMs + stack.harness.config.connectTimeoutMs * 2,
      from,
    );
    await new Promise((resolve) => setTimeout(resolve, CUT_MS));
    relay.restore();
    // The peer hears the room's close, comes back, and the WebSocket returns to it.
    const back = stack.harness.transitions.length;
    await stack.harness.reach(
      tenant,
      'connected',
      BOUNDS.peerJoinMs +
        (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
        stack.harness.config.connectTimeoutMs * 2,
      back,
    );

    const after = await standin.control.records();
    const later = after.connections.filter(
      (connection) => connection.account === phone && connection.openedAt > tunneled.openedAt,
    );
    expect(later.length).toBeGreaterThanOrEqual(2);
    expect(later.filter((connection) => connection.outcome?.startsWith('protocol-error'))).toEqual(
      [],
    );
    expect(await standin.control.failures()).toEqual([]);

    const dropped = peer.stats().dropped.total + stack.service.stats(tenant)!.framesDropped.total;
    const reached = connectionFrames(after, tunneled.id) - framesBefore;
    console.log(
      `[F9] frames that reached the connection they were sent on after the cut: ${reached}; ` +
        `dropped: peer ${JSON.stringify(peer.stats().dropped.byReason)}, ` +
        `worker ${JSON.stringify(stack.service.stats(tenant)!.framesDropped.byReason)}`,
    );
    expect(dropped).toBeGreaterThan(0);
    expect(statuses(stack.harness, tenant, from)).toEqual([
      'reconnecting(route_changed)',
      'starting(route_changed)',
      'connected(opened)',
      'reconnecting(route_changed)',
      'starting(route_changed)',
      'connected(opened)',
    ]);
    expect(stack.changes.filter((c) => c.tenant === tenant).map((c) => c.reason)).toEqual([
      'tunnel_lost',
      'tunnel_ready',
    ]);
    expect(new Set(sockets.firstFrames)).toEqual(new Set(['Hello']));
    peer.stop();
  });

  it(
    "drops what Baileys sent while the worker's " + 'own link was cut off, and logs in again',
    async () => {
      const tenant = 'f9-worker-cut';
      const phone = '15550100902';
      const peer: RelayPeer = await stack.startPeer(tenant);
      await pairTenant(stack.harness, standin, tenant, phone);
      await until(
        async () =>
          connectionsOf(await standin.control.records(), phone).at(-1)?.remoteAddress ===
          PEER_ADDRESS
            ? true
            : undefined,
        'the session on the tunnel',
        BOUNDS.peerJoinMs + stack.harness.config.connectTimeoutMs * 2,
      );
      const before = await standin.control.records();
      const tunneled = connectionsOf(before, phone).at(-1)!;
      const socketsBefore = sockets.sockets();
      const jid = `${contact.phone}@s.whatsapp.net`;
      const from = stack.harness.transitions.length;

      workerRelay.cut();
      const sent = await Promise.allSettled(
        Array.from({ length: 10 }, () =>
          stack.harness.manager.withSocket(tenant, (sock) =>
            sock.sendPresenceUpdate('composing', jid),
          ),
        ),
      );
      expect(sent.map((result) => result.status)).toEqual(Array(10).fill('fulfilled'));
      // The link hears nothing for its silence bound and is replaced; the
      // tunneled WebSocket is lost with it, and Baileys moves direct.
      const silenceMs = TEST_TUNNEL_SETTINGS.link?.silenceMs ?? 0;
      await stack.harness.reach(
        tenant,
        'connected',
        silenceMs +
          (TEST_TUNNEL_SETTINGS.link?.pingIntervalMs ?? 0) +
          stack.harness.config.connectTimeoutMs * 2,
        from,
      );
      expect(connectionsOf(await standin.control.records(), phone).at(-1)).toMatchObject({
        kind: 'login',
        remoteAddress: WORKER_ADDRESS,
      });
      await new Promise((resolve) => setTimeout(resolve, CUT_MS));
      workerRelay.restore();
      await until(
        async () =>
          connectionsOf(await standin.control.records(), phone).at(-1)?.remoteAddress ===
          PEER_ADDRESS
            ? true
            : undefined,
        'the session back on the tunnel',
        BOUNDS.linkOpenMs + BOUNDS.peerJoinMs + stack.harness.config.connectTimeoutMs * 2,
      );

      const after = await standin.control.records();
      const later = after.connections.filter(
        (connection) => connection.account === phone && connection.openedAt > tunneled.openedAt,
      );
      expect(
        later.filter((connection) => connection.outcome?.startsWith('protocol-error')),
      ).toEqual([]);
      expect(await standin.control.failures()).toEqual([]);
      const stats = stack.service.stats(tenant)!;
      console.log(
        `[F9 worker link] room sockets opened ${sockets.sockets() - socketsBefore}; dropped: ` +
          `worker ${JSON.stringify(stats.framesDropped.byReason)}, ` +
          `peer ${JSON.stringify(peer.stats().dropped.byReason)}`,
      );
      expect(sockets.sockets()).toBeGreaterThan(socketsBefore);
      expect(new Set(sockets.firstFrames)).toEqual(new Set(['Hello']));
      expect(stack.changes.filter((c) => c.tenant === tenant).map((c) => c.reason)).toEqual([
        'tunnel_lost',
        'tunnel_ready',
      ]);
      peer.stop();
    },
  );
});
