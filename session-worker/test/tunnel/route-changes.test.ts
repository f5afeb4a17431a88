import { startStandin } from '@pasarela/standin';
import type { ContactView, Standin } from '@pasarela/standin';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pairTenant, statuses } from '../session/support/harness.js';
import { waitFor } from '../support/settle.js';
import { BOUNDS, TEST_TUNNEL_SETTINGS } from './support/fixture.js';
import { PEER_ADDRESS, WORKER_ADDRESS } from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, startStack, testPng } from './support/stack.js';
import type { Stack } from './support/stack.js';

const TENANT = 'route-changes';
const PHONE = '15550100301';
const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
let standin: Standin;
let stack: Stack;
let contact: ContactView;
let peer: RelayPeer;

/** A move: the peer joins and proves its legs, the hysteresis runs out, Baileys logs in again. */
let moveMs = 0;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startStandin().then((s) => (standin = s))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
  stack = await startStack({ standin, room, keys });
  contact = await standin.control.createContact({ name: 'Route Customer' });
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

async function latestConnection() {
  const records = await standin.control.records();
  return connectionsOf(records, PHONE).at(-1);
}

async function accountFigures() {
  const account = await standin.control.account(PHONE);
  return { registrations: account.registrations.length, peakOpen: account.peakOpen };
}

describe('the WebSocket follows the tunnel as it comes and goes', () => {
  it('starts without a tunnel: QR, scan, connected, every connection direct', async () => {
    await pairTenant(stack.harness, standin, TENANT, PHONE);
    const records = await standin.control.records();

    expect(connectionsOf(records, PHONE).map((c) => c.remoteAddress)).toEqual([
      WORKER_ADDRESS,
      WORKER_ADDRESS,
    ]);
    const status = stack.service.status(TENANT)!;
    expect(status).toMatchObject({
      session: 'connected',
      policy: 'prefer-tunnel',
      routes: { websocket: 'direct', download: 'direct', upload: 'direct' },
      protected: false,
      reason: 'no peer connected',
    });
  });

  it(
    'moves onto a tunnel that arrives with a ' + 'login, no QR, and the next requests follow',
    async () => {
      const from = stack.harness.transitions.length;
      const before = await accountFigures();
      peer = await stack.startPeer(TENANT);
      await stack.harness.reach(TENANT, 'connected', moveMs, from);

      expect(statuses(stack.harness, TENANT, from)).toEqual([
        'reconnecting(route_changed)',
        'starting(route_changed)',
        'connected(opened)',
      ]);
      expect(await latestConnection()).toMatchObject({
        kind: 'login',
        remoteAddress: PEER_ADDRESS,
        origin: 'https://orders.restaurant.test',
      });
      expect(await accountFigures()).toEqual(before);
      expect(stack.changes.at(-1)).toMatchObject({
        tenant: TENANT,
        from: 'direct',
        to: 'tunnel',
        reason: 'tunnel_ready',
        controlled: true,
      });

      const { lastSeq } = await standin.control.records();
      await stack.harness.manager.withSocket(TENANT, (sock) =>
        sock.sendMessage(`${contact.phone}@s.whatsapp.net`, {
          image: testPng(40, 30, 1),
          mimetype: 'image/png',
        }),
      );
      const { requests } = await standin.control.records(lastSeq);
      const uploads = requests.filter(
        (request) => request.method === 'POST' && request.party === null,
      );
      expect(uploads.map((request) => request.remoteAddress)).toEqual([PEER_ADDRESS]);
      await waitFor(
        () => (stack.service.status(TENANT)?.protected ? true : undefined),
        'the tenant to be protected',
      );
    },
  );

  it('goes direct at once when the tab closes; the session is kept', async () => {
    const from = stack.harness.transitions.length;
    const before = await accountFigures();
    peer.stop();
    await stack.harness.reach(TENANT, 'connected', BOUNDS.peerGoneMs + moveMs, from);

    expect(statuses(stack.harness, TENANT, from)).toEqual([
      'reconnecting(route_changed)',
      'starting(route_changed)',
      'connected(opened)',
    ]);
    expect(await latestConnection()).toMatchObject({
      kind: 'login',
      remoteAddress: WORKER_ADDRESS,
    });
    expect(await accountFigures()).toEqual(before);
    expect(stack.changes.at(-1)).toMatchObject({
      from: 'tunnel',
      to: 'direct',
      reason: 'tunnel_lost',
      controlled: true,
    });
    expect(stack.service.status(TENANT)).toMatchObject({
      routes: { websocket: 'direct', download: 'direct', upload: 'direct' },
      protected: false,
    });
  });

  it('returns to the tunnel when the tab reopens, without a QR', async () => {
    const from = stack.harness.transitions.length;
    const before = await accountFigures();
    peer = await stack.startPeer(TENANT);
    await stack.harness.reach(TENANT, 'connected', moveMs, from);

    expect(await latestConnection()).toMatchObject({ kind: 'login', remoteAddress: PEER_ADDRESS });
    expect(await accountFigures()).toEqual(before);
    expect(statuses(stack.harness, TENANT).filter((s) => s.startsWith('qr'))).toEqual([
      'qr(qr_shown)',
    ]);
    const stats = stack.service.stats(TENANT)!;
    expect(stats.routeChanges.count).toBe(3);
    expect(stats.leaks.count).toBe(0);
    peer.stop();
  });
});
