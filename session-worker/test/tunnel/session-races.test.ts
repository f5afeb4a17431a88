import { startStandin } from '@pasarela/standin';
import type { Standin } from '@pasarela/standin';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTenant, statuses } from '../session/support/harness.js';
import { untilTunnelReady } from './support/fixture.js';
import { BOUNDS, TEST_TUNNEL_SETTINGS } from './support/fixture.js';
import { PEER_ADDRESS, WORKER_ADDRESS } from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, startStack } from './support/stack.js';
import type { Stack } from './support/stack.js';
import { until } from './support/until.js';

/**
 * FIELD-NOTES F3, F4 and F5 with the tunnel in the race: a route change
 * fired together with a reconnect and a restart makes one connection at a
 * time; a route that changes between pair-success and 515 gives a login,
 * not a second QR; a peer that comes and goes every 2 s under a QR leaves
 * registrations bounded and the loop flag raised.
 */
const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
let standin: Standin;
let stack: Stack;
let moveMs = 0;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startStandin().then((s) => (standin = s))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
  stack = await startStack({ standin, room, keys });
  moveMs =
    BOUNDS.peerJoinMs +
    (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
    stack.harness.config.connectTimeoutMs * 2;
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await room.stop();
  await standin?.close();
});

describe('the tunnel in the session races', () => {
  it(
    'F3: a route change, a reconnect and a restart ' +
      'at once make one connection at a time, no 440',
    async () => {
      const tenant = 'f3-race';
      const phone = '15550100311';
      await pairTenant(stack.harness, standin, tenant, phone);
      const peer: RelayPeer = await stack.startPeer(tenant);
      await untilTunnelReady(stack.harness.manager.egress(tenant)!, BOUNDS.peerJoinMs, 'websocket');
      const manager = stack.harness.manager;

      await Promise.allSettled([
        manager.reconnect(tenant, 'route_changed'),
        standin.control.drop(phone),
        manager.restart(tenant),
      ]);
      await until(
        async () => {
          const latest = connectionsOf(await standin.control.records(), phone).at(-1);
          const settled =
            manager.status(tenant)?.status === 'connected' &&
            latest?.kind === 'login' &&
            latest.remoteAddress === PEER_ADDRESS;
          return settled ? true : undefined;
        },
        'the session connected again through the tunnel',
        moveMs * 2,
      );

      const account = await standin.control.account(phone);
      const records = await standin.control.records();
      console.log(
        `[F3] statuses ${statuses(stack.harness, tenant).join(' ')}; ` +
          `connections ${connectionsOf(records, phone)
            .map((c) => `${c.kind}@${c.remoteAddress}:${c.outcome}`)
            .join(', ')}`,
      );
      expect(account.peakOpen).toBe(1);
      expect(connectionsOf(records, phone).filter((c) => c.outcome === 'replaced')).toEqual([]);
      expect(statuses(stack.harness, tenant).filter((s) => s.startsWith('replaced'))).toEqual([]);
      expect(connectionsOf(records, phone).at(-1)).toMatchObject({
        kind: 'login',
        remoteAddress: PEER_ADDRESS,
      });
      peer.stop();
    },
  );

  it(
    'F4: a route that changes between pair-success ' + 'and 515 gives a login, not a second QR',
    async () => {
      const tenant = 'f4-pairing';
      const phone = '15550100312';
      const qrs: string[] = [];
      stack.harness.manager.on('qr', (event) => {
        if (event.tenant === tenant) qrs.push(event.qr);
      });
      await stack.harness.manager.start(tenant);
      const qr = await until(
        () => qrs[0],
        'the first QR',
        stack.harness.config.connectTimeoutMs * 2,
      );
      // The registration socket is direct; the peer arrives while the QR shows.
      const peer = await stack.startPeer(tenant);
      await untilTunnelReady(stack.harness.manager.egress(tenant)!, BOUNDS.peerJoinMs, 'websocket');
      const from = stack.harness.transitions.length;
      await standin.control.scanQr(qr, { phone });
      await stack.harness.reach(
        tenant,
        'connected',
        stack.harness.config.connectTimeoutMs * 2,
        from,
      );

      const records = await standin.control.records();
      expect(connectionsOf(records, phone).map((c) => [c.kind, c.remoteAddress])).toEqual([
        ['registration', WORKER_ADDRESS],
        ['login', PEER_ADDRESS],
      ]);
      expect(statuses(stack.harness, tenant, from)).toEqual([
        'reconnecting(restart_required)',
        'starting(socket_created)',
        'connected(opened)',
      ]);
      expect(qrs).toHaveLength(1);
      expect((await standin.control.account(phone)).registrations).toHaveLength(1);
      peer.stop();
    },
  );

  it(
    'F5: a peer that comes and goes every 2 s under a QR ' +
      'leaves registrations bounded and raises the loop flag',
    async () => {
      const tenant = 'f5-flapping';
      const config = stack.harness.config;
      const loops: number[] = [];
      stack.harness.manager.on('loop', (event) => {
        if (event.tenant === tenant) loops.push(event.recentReconnects);
      });
      let peer = await stack.startPeer(tenant);
      await stack.harness.manager.start(tenant);
      const startedAt = Date.now();
      const until60 = startedAt + 60_000;
      while (Date.now() < until60) {
        await new Promise((resolve) => setTimeout(resolve, 2_000));
        peer.stop();
        peer = await stack.startPeer(tenant);
      }
      peer.stop();
      // Each socket of an unpaired tenant is a registration (a peer's probe sends nothing).
      const registrations = (await standin.control.records()).registrations.filter(
        (registration) => Date.parse(registration.time) >= startedAt,
      );
      const view = stack.harness.manager.status(tenant);
      console.log(
        `[F5] ${registrations.length} registrations in 60 s` +
          `; loop events ${loops.join(', ')}; ` +
          `session ${view?.status} loop=${view?.loop}`,
      );
      // Backoff doubles from backoffBaseMs; once loopThreshold reconnects fall
      // in the loop window, each waits at least loopBackoffMs.
      expect(registrations.length).toBeLessThanOrEqual(config.loopThreshold + 2);
      expect(view?.loop).toBe(true);
      expect(loops.length).toBeGreaterThan(0);
    },
    120_000,
  );
});
