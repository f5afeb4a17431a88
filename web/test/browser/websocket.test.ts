import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Legs } from '@pasarela/shared';
import type { RequestRecord } from '@pasarela/standin';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import { BAILEYS_TIMINGS, credsFolder, pairAndLogIn } from './support/baileys.js';
import type { BaileysClient } from './support/baileys.js';
import { snapshot, startPeer, untilPeerStatus, waitUntil } from './support/page.js';
import type { PageHandle } from './support/page.js';
import { openPage, sha256Hex } from './support/session.js';
import { PAGE_ORIGIN, ROOM_HOST, Stack } from './support/stack.js';
import { startWorkerTunnel } from './support/worker-tunnel.js';
import type { WorkerTunnel } from './support/worker-tunnel.js';

/** One attempt of the page's peer, then the room's word reaching the worker after its probes. */
const READY_BOUND_MS =
  PEER_DEFAULTS.reconnect.connectionTimeoutMs +
  PEER_DEFAULTS.handshakeTimeoutMs +
  PEER_DEFAULTS.probeTimeoutMs;
const WHATSAPP_ORIGIN = 'https://web.whatsapp.com';

let stack: Stack;

beforeAll(async () => {
  stack = await Stack.start();
});

afterAll(async () => {
  await stack?.stop();
});

function chatUpgrades(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.kind === 'ws' && r.path === '/ws/chat');
}

interface Restaurant {
  readonly tenant: string;
  readonly tab: PageHandle;
  readonly worker: WorkerTunnel;
  readonly creds: Awaited<ReturnType<typeof credsFolder>>;
}

/** The restaurant's tab joins its room, and the session worker's tunnel hears of it. */
async function openRestaurant(label: string, readyLeg: 'websocket' | 'download') {
  const tenant = stack.tenant(label);
  const tab = await openPage(stack);
  await startPeer(tab, { tenant, roomHost: ROOM_HOST });
  await untilPeerStatus(tab, 'connected', READY_BOUND_MS);
  const worker = startWorkerTunnel(stack, tenant);
  const ms = await worker.untilReady(readyLeg, READY_BOUND_MS);
  console.log(`[chat] ${tenant}: the worker saw the page ready for ${readyLeg} after ${ms} ms`);
  return { tenant, tab, worker, creds: await credsFolder() } satisfies Restaurant;
}

/** Requests of the account's own (not a simulated contact's) to the media hosts since `seq`. */
async function mediaSince(seq: number): Promise<RequestRecord[]> {
  // After pairing, the phone sends history and app state for Baileys to download.
  const { value } = await waitUntil(
    'Baileys to fetch its history from the media host',
    async () => (await stack.standin!.control.records(seq)).requests,
    (requests) => requests.some((r) => r.kind === 'http' && r.party === null),
    BAILEYS_TIMINGS.defaultQueryTimeoutMs,
  );
  return value.filter((r) => r.kind === 'http' && r.party === null);
}

async function closeRestaurant(restaurant: Restaurant | undefined, client?: BaileysClient) {
  await client?.stop();
  await restaurant?.worker.close();
  await restaurant?.creds.remove();
}

describe('a logged-in session through the page, with the session worker and real Baileys', () => {
  let restaurant: Restaurant;
  let client: BaileysClient;
  let phone: string;

  beforeAll(async () => {
    restaurant = await openRestaurant('chat', 'websocket');
  });

  afterAll(() => closeRestaurant(restaurant, client));

  it('pairs and logs in with every WhatsApp connection opened by Chromium', async () => {
    const { lastSeq } = await stack.standin!.control.records();
    const started = Date.now();
    ({ client, phone } = await pairAndLogIn(
      stack.standin!,
      restaurant.worker.egress,
      restaurant.creds.dir,
    ));
    console.log(
      `[chat] paired, restarted (515) and logged in through the page in ${Date.now() - started} ms`,
    );

    const { requests, logins } = await stack.standin!.control.records(lastSeq);
    const upgrades = chatUpgrades(requests);
    // One for the pairing socket, one for the login after 515.
    expect(upgrades.map((r) => [r.origin, r.status])).toEqual([
      [PAGE_ORIGIN, 101],
      [PAGE_ORIGIN, 101],
    ]);
    for (const upgrade of upgrades) expect(upgrade.userAgent).toMatch(/Chrome\/156\./);
    expect(logins.map((login) => [login.account, login.result])).toEqual([[phone, 'success']]);
    // History and app state come down through the page as well.
    const media = await mediaSince(lastSeq);
    expect(media.filter((r) => r.origin !== PAGE_ORIGIN)).toEqual([]);
  });

  it('carries a contact message down and the reply up, end to end encrypted', async () => {
    const ana = await stack.standin!.control.createContact({ name: 'Ana' });
    await stack.standin!.control.sendFromContact(ana.phone, phone, { text: 'Mesa para dos' });
    await waitUntil(
      'Baileys received the contact message',
      async () => client.received.map((m) => m.message?.conversation),
      (texts) => texts.includes('Mesa para dos'),
      BAILEYS_TIMINGS.defaultQueryTimeoutMs,
    );

    const receipt = randomBytes(64 * 1024);
    await client.sock.sendMessage(ana.jid, { text: 'Reservada a las nueve' });
    await client.sock.sendMessage(ana.jid, {
      document: receipt,
      mimetype: 'application/pdf',
      fileName: 'reserva.pdf',
    });
    const { value } = await waitUntil(
      'the contact decrypted the reply and opened the document',
      () => stack.standin!.control.received(ana.phone),
      (messages) =>
        messages.some((m) => m.text === 'Reservada a las nueve') &&
        messages.some((m) => m.media?.sha256 === sha256Hex(receipt)),
      BAILEYS_TIMINGS.defaultQueryTimeoutMs,
    );
    expect(value.map((m) => m.contentType)).toEqual(['extendedTextMessage', 'documentMessage']);
    expect((await stack.standin!.control.failures()).map((f) => f.stage)).toEqual([]);
  });

  it('sent nothing direct: the worker audited every WhatsApp connection as tunneled', () => {
    const records = restaurant.worker.audit.snapshot().recent.filter((r) => r.whatsapp);
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r) => r.route !== 'tunnel')).toEqual([]);
    expect(restaurant.worker.audit.snapshot().totals.leaks).toBe(0);
  });

  it('kept one room socket in the page, with no frame dropped', async () => {
    const { stats } = await snapshot(restaurant.tab);
    console.log(
      `[chat] page peer: ${stats?.streams.started} ` +
        `streams, ${stats?.upstreamBytesReceived} bytes ` +
        `down, ${stats?.upstreamBytesSent} up, ${stats?.pingsAnswered} pings answered`,
    );
    expect(stats).toMatchObject({ socketsOpened: 1, dropped: { total: 0 } });
  });
});

describe('an upgrade refused for the page Origin (F13)', () => {
  let restaurant: Restaurant;
  let client: BaileysClient;

  beforeAll(async () => {
    await stack.standin!.control.setHostFaults('web.whatsapp.com', {
      refuseUpgrades: 'foreign-origin',
    });
    // A tab that joins now probes its legs against the refusing host.
    restaurant = await openRestaurant('refused', 'download');
  });

  afterAll(async () => {
    await closeRestaurant(restaurant, client);
    await stack.standin!.control.clearHostFaults('web.whatsapp.com');
  });

  it(
    'reports the WebSocket leg unservable, with ' + 'its reason, to the room and the worker',
    async () => {
      const expected: Legs = {
        websocket: {
          status: 'unavailable',
          reason:
            'upstream_refused: web.whatsapp.com refused the upgrade or could not be reached; ' +
            "it may refuse this page's Origin",
        },
        download: { status: 'ok' },
        upload: { status: 'ok' },
      };
      expect((await snapshot(restaurant.tab)).legs).toEqual(expected);
      expect(restaurant.worker.egress.peer?.legs).toEqual(expected);
      const { requests } = await stack.standin!.control.records();
      expect(chatUpgrades(requests).at(-1)).toMatchObject({
        origin: PAGE_ORIGIN,
        status: 403,
        refusedBy: 'host:refuseUpgrades',
      });
    },
  );

  it(
    'logs in with the WebSocket direct, for that ' +
      'reason, while media still go through the page',
    async () => {
      const { lastSeq } = await stack.standin!.control.records();
      ({ client } = await pairAndLogIn(
        stack.standin!,
        restaurant.worker.egress,
        restaurant.creds.dir,
      ));

      const { requests } = await stack.standin!.control.records(lastSeq);
      // Baileys' own Origin: the cloud host's direct connection, not the page's.
      expect(chatUpgrades(requests).map((r) => [r.origin, r.status])).toEqual([
        [WHATSAPP_ORIGIN, 101],
        [WHATSAPP_ORIGIN, 101],
      ]);
      const media = await mediaSince(lastSeq);
      expect(media.filter((r) => r.origin !== PAGE_ORIGIN)).toEqual([]);
      const sockets = restaurant.worker.audit
        .snapshot()
        .recent.filter((r) => r.whatsapp && r.leg === 'websocket');
      expect(sockets.map((r) => [r.route, r.reason])).toEqual([
        ['direct', 'leg_unavailable'],
        ['direct', 'leg_unavailable'],
      ]);
    },
  );
});
