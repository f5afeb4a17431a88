import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Legs } from '@pasarela/shared';
import type { TenantEgress } from '@pasarela/session-worker/egress';
import type { RequestRecord } from '@pasarela/standin';
import { PEER_DEFAULTS } from '../../src/peer/index.js';
import { relayGet, relayUpload } from '../support/worker.js';
import { credsFolder, directEgress, pairAndLogIn } from './support/baileys.js';
import type { BaileysClient } from './support/baileys.js';
import { snapshot, waitUntil } from './support/page.js';
import { joinTab } from './support/session.js';
import type { JoinedTab } from './support/session.js';
import { SocketBridge } from './support/socket-bridge.js';
import { PAGE_ORIGIN, Stack } from './support/stack.js';

/** The upgrade deadline the worker gives the peer (the egress's `upgradeTimeoutMs`). */
const UPGRADE_DEADLINE_MS = 15_000;
const JOIN_BOUND_MS =
  PEER_DEFAULTS.reconnect.connectionTimeoutMs + PEER_DEFAULTS.handshakeTimeoutMs;

let stack: Stack;
let creds: Awaited<ReturnType<typeof credsFolder>>;
let egress: TenantEgress;
let bridge: SocketBridge;
let session: JoinedTab;
let client: BaileysClient;
let phone: string;

beforeAll(async () => {
  stack = await Stack.start({ browser: 'playwright' });
  session = await joinTab(stack, 'chat', JOIN_BOUND_MS);
  creds = await credsFolder();
  egress = directEgress(stack.standin!, session.tenant);
  bridge = await SocketBridge.start(session.worker, UPGRADE_DEADLINE_MS);
});

afterAll(async () => {
  await client?.stop();
  await bridge?.close();
  await egress?.close();
  session?.worker.close();
  await stack?.stop();
  await creds?.remove();
});

function chatUpgrades(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.kind === 'ws' && r.path === '/ws/chat');
}

describe('the WhatsApp WebSocket of a logged-in session through the page', () => {
  it('pairs and logs in with every upgrade opened by Chromium', async () => {
    const { lastSeq } = await stack.standin!.control.records();
    const started = Date.now();
    ({ client, phone } = await pairAndLogIn(stack.standin!, egress, creds.dir, bridge.agent));
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
    // What Baileys asked for and a page cannot send, reported by the peer.
    expect(bridge.sockets.map((socket) => socket.opened?.droppedRequestHeaders)).toEqual([
      ['origin'],
      ['origin'],
    ]);
  });

  it('delivers a contact message down and the reply up, end to end encrypted', async () => {
    const ana = await stack.standin!.control.createContact({ name: 'Ana' });
    await stack.standin!.control.sendFromContact(ana.phone, phone, { text: 'Mesa para dos' });
    await waitUntil(
      'Baileys received the contact message',
      async () => client.received.map((m) => m.message?.conversation),
      (texts) => texts.includes('Mesa para dos'),
      BAILEYS_QUERY_MS,
    );

    await client.sock.sendMessage(ana.jid, { text: 'Reservada a las nueve' });
    const { value } = await waitUntil(
      'the contact decrypted the reply',
      () => stack.standin!.control.received(ana.phone),
      (messages) => messages.some((m) => m.text === 'Reservada a las nueve'),
      BAILEYS_QUERY_MS,
    );
    expect(value.map((m) => m.text)).toContain('Reservada a las nueve');

    const login = bridge.sockets.at(-1)!;
    console.log(`[chat] login socket: ${login.messagesUp} messages up, ${login.messagesDown} down`);
    expect(login.messagesUp).toBeGreaterThan(0);
    expect(login.messagesDown).toBeGreaterThan(0);
    expect((await stack.standin!.control.failures()).map((f) => f.stage)).toEqual([]);
  });

  it('never let Baileys reach the WhatsApp socket with its own Origin', async () => {
    const { requests } = await stack.standin!.control.records();
    const direct = chatUpgrades(requests).filter((r) => r.origin !== PAGE_ORIGIN);
    expect(direct).toEqual([]);
    const { stats } = await snapshot(session.tab);
    expect(stats?.dropped.total).toBe(0);
  });
});

describe('an upgrade refused for the page Origin (F13)', () => {
  let refused: JoinedTab;

  beforeAll(async () => {
    await stack.standin!.control.setHostFaults('web.whatsapp.com', {
      refuseUpgrades: 'foreign-origin',
    });
    // A tab that joins now probes its legs against the refusing host.
    refused = await joinTab(stack, 'refused', JOIN_BOUND_MS);
  });

  afterAll(async () => {
    refused?.worker.close();
    await stack.standin!.control.clearHostFaults('web.whatsapp.com');
  });

  it('reports the WebSocket leg unservable, with its reason, to the room', async () => {
    const bound = PEER_DEFAULTS.probeTimeoutMs + stack.broker.pingIntervalMs;
    const presence = await refused.worker.untilPresence(
      'the probed legs',
      (p) => p.peers.some((peer) => peer.legs.websocket.status !== 'unprobed'),
      bound,
    );
    const legs = presence.peers.find((peer) => peer.peerId === refused.peerId)?.legs;
    expect(legs).toEqual<Legs>({
      websocket: {
        status: 'unavailable',
        reason:
          'upstream_refused: web.whatsapp.com refused the upgrade or could not be reached; ' +
          "it may refuse this page's Origin",
      },
      download: { status: 'ok' },
      upload: { status: 'ok' },
    });
    const { requests } = await stack.standin!.control.records();
    const probe = chatUpgrades(requests).at(-1);
    expect(probe).toMatchObject({
      origin: PAGE_ORIGIN,
      status: 403,
      refusedBy: 'host:refuseUpgrades',
    });
  });

  it('resets a relayed upgrade with upstream_refused at once, well before its deadline', async () => {
    const ids = refused.worker.ids();
    const started = performance.now();
    refused.worker.send({
      kind: 'ws-open',
      ...ids,
      body: {
        url: 'wss://web.whatsapp.com/ws/chat',
        protocols: [],
        headers: [['Origin', 'https://web.whatsapp.com']],
        deadlineMs: UPGRADE_DEADLINE_MS,
      },
    });
    const reset = await refused.worker.next('reset', ids.streamId);
    const elapsed = performance.now() - started;
    console.log(
      `[chat] refused upgrade reset after ${elapsed.toFixed(0)} ms (deadline ${UPGRADE_DEADLINE_MS} ms)`,
    );
    expect(reset.body.code).toBe('upstream_refused');
    expect(elapsed).toBeLessThan(UPGRADE_DEADLINE_MS);
  });

  it('still carries the download and upload legs through the page', async () => {
    const { lastSeq } = await stack.standin!.control.records();
    const download = await relayGet(refused.worker, {
      ...refused.worker.ids(),
      url: 'https://mmg.whatsapp.net/v/t62.7119-24/missing.enc',
    });
    const upload = await relayUpload(
      refused.worker,
      { ...refused.worker.ids(), url: 'https://mmg.whatsapp.net/mms/image/none?token=none' },
      new Uint8Array(1024),
    );

    // Answers the page could read: the host was reached through it.
    expect(download.head?.status).toBe(404);
    expect(upload.head?.status).toBe(401);
    const { requests } = await stack.standin!.control.records(lastSeq);
    expect(requests.map((r) => [r.method, r.host, r.origin])).toEqual([
      ['GET', 'mmg.whatsapp.net', PAGE_ORIGIN],
      ['POST', 'mmg.whatsapp.net', PAGE_ORIGIN],
    ]);
    const { legs } = await snapshot(refused.tab);
    expect(legs?.websocket.status).toBe('unavailable');
  });
});

/** Baileys answers within its own query timeout, or the session is broken. */
const BAILEYS_QUERY_MS = 15_000;
