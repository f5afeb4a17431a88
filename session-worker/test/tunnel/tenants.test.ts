import { once } from 'node:events';
import { signToken } from '@pasarela/shared';
import { startStandin } from '@pasarela/standin';
import type { Standin } from '@pasarela/standin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pairTenant, statuses } from '../session/support/harness.js';
import { BOUNDS, TEST_TUNNEL_SETTINGS } from './support/fixture.js';
import { WORKER_ADDRESS } from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, startStack } from './support/stack.js';
import type { Stack } from './support/stack.js';
import { until } from './support/until.js';

/**
 * Several tenants, each with its own tab on an address of its own: each
 * uses only its own tunnel, one tab closing changes nothing for the other,
 * and the stats are kept apart.
 */
const TENANTS = [
  { tenant: 'tenants-sol', phone: '15550100501', address: '127.0.0.3' },
  { tenant: 'tenants-luna', phone: '15550100502', address: '127.0.0.4' },
] as const;
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
    BOUNDS.peerGoneMs +
    BOUNDS.peerJoinMs +
    (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
    stack.harness.config.connectTimeoutMs * 2;
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await room.stop();
  await standin?.close();
});

async function latest(phone: string) {
  return connectionsOf(await standin.control.records(), phone).at(-1);
}

describe('several tenants', () => {
  it(
    'each runs through its own tab; one tab closing ' + 'leaves the other alone; stats stay apart',
    async () => {
      const peers = [];
      for (const { tenant, phone, address } of TENANTS) {
        peers.push(await stack.startPeer(tenant, { localAddress: address }));
        await pairTenant(stack.harness, standin, tenant, phone);
      }
      for (const { phone, address } of TENANTS) {
        await until(
          async () => ((await latest(phone))?.remoteAddress === address ? true : undefined),
          `${phone} through its own tab`,
          moveMs,
        );
      }
      const [sol, luna] = TENANTS;
      const lunaBefore = await latest(luna.phone);

      peers[0]!.stop();
      await until(
        async () =>
          (await latest(sol.phone))?.remoteAddress === WORKER_ADDRESS ? true : undefined,
        `${sol.tenant} direct`,
        moveMs,
      );
      expect(await latest(luna.phone)).toEqual(lunaBefore);
      expect(stack.service.status(luna.tenant)?.routes.websocket).toBe('tunnel');
      expect(stack.service.status(sol.tenant)?.routes.websocket).toBe('direct');
      const solStats = stack.service.stats(sol.tenant)!;
      const lunaStats = stack.service.stats(luna.tenant)!;
      expect(solStats.routeChanges.recent.map((c) => c.reason)).toContain('tunnel_lost');
      expect(lunaStats.routeChanges.recent.map((c) => c.reason)).not.toContain('tunnel_lost');
      expect(solStats.peer).toBeNull();
      expect(lunaStats.peer?.health).toBe('healthy');
      expect(stack.service.list().map((s) => s.tenant)).toEqual([luna.tenant, sol.tenant]);
      expect(stack.service.summary(sol.tenant, true)).toEqual({
        hasTunnel: false,
        tunnelHealthy: false,
        route: 'direct',
        tunnel: 'no peer connected',
      });
      expect(stack.service.summary(luna.tenant, true)).toMatchObject({
        hasTunnel: true,
        tunnelHealthy: true,
        route: 'tunnel',
      });
      expect(stack.service.summary('tenants-never-run', false)).toEqual({
        hasTunnel: false,
        tunnelHealthy: false,
        route: 'none',
        tunnel: 'no tunnel',
      });
      peers[1]!.stop();
    },
  );

  it(
    "keeps a WebSocket WhatsApp refuses for the page's " +
      'Origin direct, with a reason and no reconnect loop',
    async () => {
      const tenant = 'tenants-origin';
      const phone = '15550100503';
      const settings = TEST_TUNNEL_SETTINGS.routes!;
      const hysteresis = (settings.healthyForMs ?? 0) + (settings.quietMs ?? 0);
      await standin.control.setHostFaults('web.whatsapp.com', { refuseUpgrades: 'foreign-origin' });
      try {
        // The page's probe is refused: it says so, and its legs tell the worker.
        const tab = await stack.startPeer(tenant, { localAddress: '127.0.0.5' });
        expect(tab.legs.websocket.status).toBe('unavailable');
        await pairTenant(stack.harness, standin, tenant, phone);
        const from = stack.harness.transitions.length;
        // Several hysteresis periods pass with the peer otherwise ready.
        await new Promise((resolve) => setTimeout(resolve, 3 * hysteresis));
        expect(stack.harness.transitions.slice(from).filter((t) => t.tenant === tenant)).toEqual(
          [],
        );
        expect(stack.service.status(tenant)).toMatchObject({
          routes: { websocket: 'direct', download: 'tunnel', upload: 'tunnel' },
          protected: false,
        });
        expect(stack.service.status(tenant)?.reason).toMatch(/^websocket leg unavailable/);
        tab.stop();

        // Known good before, refused now: the upgrade goes direct at once, and stays.
        const late = 'tenants-origin-late';
        const latePhone = '15550100504';
        await standin.control.clearHostFaults('web.whatsapp.com');
        const lateTab = await stack.startPeer(late, { localAddress: '127.0.0.6' });
        await pairTenant(stack.harness, standin, late, latePhone);
        await until(
          async () => ((await latest(latePhone))?.remoteAddress === '127.0.0.6' ? true : undefined),
          `${late} on its tab`,
          moveMs,
        );
        await standin.control.setHostFaults('web.whatsapp.com', {
          refuseUpgrades: 'foreign-origin',
        });
        const lateFrom = stack.harness.transitions.length;
        await stack.harness.manager.restart(late);
        await stack.harness.reach(
          late,
          'connected',
          stack.harness.config.connectTimeoutMs * 2,
          lateFrom,
        );
        await new Promise((resolve) => setTimeout(resolve, 3 * hysteresis));
        expect(statuses(stack.harness, late, lateFrom)).toEqual([
          'reconnecting(restart_requested)',
          'starting(restart_requested)',
          'connected(opened)',
        ]);
        expect(await latest(latePhone)).toMatchObject({
          kind: 'login',
          remoteAddress: WORKER_ADDRESS,
        });
        expect(stack.harness.manager.egress(late)?.activity().websocket).toMatchObject({
          route: 'direct',
          reason: 'tunnel_failed',
        });
        expect(stack.service.status(late)?.reason).toMatch(/^websocket leg unavailable/);
        lateTab.stop();
      } finally {
        await standin.control.clearHostFaults('web.whatsapp.com');
      }
    },
  );

  it("refuses a peer token of one tenant at the other tenant's room", async () => {
    const [sol, luna] = TENANTS;
    const token = await signToken({ tenant: sol.tenant, role: 'peer', ttlSeconds: 60 }, keys.keys);
    const socket = new WebSocket(`ws://${room.host}/parties/tunnel/${luna.tenant}?token=${token}`);
    socket.binaryType = 'nodebuffer';
    const [first] = (await once(socket, 'message')) as [Buffer];
    socket.terminate();
    // An Error frame: version 1, type 0x03, then its JSON.
    expect(first[1]).toBe(0x03);
    expect(JSON.parse(first.subarray(16).toString('utf8'))).toMatchObject({
      code: 'auth_wrong_tenant',
    });
  });
});
