import https from 'node:https';
import tls from 'node:tls';
import { startStandin } from '@pasarela/standin';
import type { ContactView, RequestRecord, Standin } from '@pasarela/standin';
import { downloadMediaMessage } from '@whiskeysockets/baileys';
import type { WAMessage } from '@whiskeysockets/baileys';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installProcessGuards } from '../../src/egress/index.js';
import { pairTenant } from '../session/support/harness.js';
import { captureLogger } from '../support/capture-logger.js';
import { codeOf } from '../support/egress-fixture.js';
import { sha256 } from '../support/payload.js';
import { waitFor } from '../support/settle.js';
import { until } from './support/until.js';
import { BOUNDS, TEST_TUNNEL_SETTINGS } from './support/fixture.js';
import { PEER_ADDRESS, WORKER_ADDRESS } from './support/peer.js';
import { ROOM_START_TIMEOUT_MS, RoomServer, testKeys } from './support/room.js';
import { connectionsOf, startStack, testPng } from './support/stack.js';
import type { Stack } from './support/stack.js';

/**
 * FIELD-NOTES F1: with a peer present, pairing, history and app-state
 * sync, media both ways and the version lookup all leave from the
 * restaurant's address; every connection from the worker's own address is
 * explained as a direct fallback; planted tenant-less connections are
 * caught; with the peer gone, all of it goes direct with its reason.
 */
const TENANT = 'f1-tunnel';
const PHONE = '15550100401';
const keys = testKeys();
const room = new RoomServer({ keysJson: keys.json });
let standin: Standin;
let stack: Stack;
let contact: ContactView;
let peer: RelayPeer;
const histories: string[] = [];
const upserts: WAMessage[] = [];
let moveMs = 0;

beforeAll(async () => {
  const [ms] = await Promise.all([room.start(), startStandin().then((s) => (standin = s))]);
  console.log(`[wrangler dev] answered /health ${ms} ms after spawn`);
  stack = await startStack({
    standin,
    room,
    keys,
    onSocket: (tenant, sock) => {
      if (tenant !== TENANT) return;
      sock.ev.on('messaging-history.set', ({ syncType }) => histories.push(String(syncType)));
      sock.ev.on('messages.upsert', ({ messages }) => upserts.push(...messages));
    },
  });
  contact = await standin.control.createContact({ name: 'F1 Customer' });
  moveMs =
    BOUNDS.peerGoneMs +
    (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
    stack.harness.config.connectTimeoutMs * 2;
}, ROOM_START_TIMEOUT_MS);

afterAll(async () => {
  await stack?.close();
  await room.stop();
  await standin?.close();
});

/** Requests a client of the stand-in made (its own simulated devices left out). */
function clientRequests(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((request) => request.party === null);
}

/** TCP connections the worker itself opened to the stand-in, by source port. */
function workerConnections(requests: readonly RequestRecord[]): Set<number> {
  return new Set(
    clientRequests(requests)
      .filter((request) => request.remoteAddress === WORKER_ADDRESS)
      .map((request) => request.remotePort),
  );
}

function directRecords(fromSeq: number) {
  return stack.audit
    .snapshot()
    .recent.filter(
      (record) => record.seq > fromSeq && record.tenant === TENANT && record.route === 'direct',
    );
}

function describeRequests(requests: readonly RequestRecord[]): string[] {
  return clientRequests(requests).map(
    (request) =>
      `${request.remoteAddress} ${request.kind} ${request.method} ` +
      `${request.host}${request.path.split('?')[0]}`,
  );
}

async function mediaBothWays(): Promise<void> {
  const inbound = testPng(64, 48, 7);
  const sent = await standin.control.sendFromContact(contact.phone, PHONE, {
    image: { data: inbound, mimetype: 'image/png', caption: 'the menu?' },
  });
  const message = await waitFor(
    () => upserts.find((item) => item.key.id === sent.id),
    `the contact's image ${sent.id}`,
    stack.harness.config.defaultQueryTimeoutMs,
  );
  const egress = stack.harness.manager.egress(TENANT)!;
  const bytes = await downloadMediaMessage(message, 'buffer', {
    options: { dispatcher: egress.dispatcher } as RequestInit,
  });
  expect(sha256(bytes)).toBe(sha256(inbound));

  const outbound = testPng(50, 40, 9);
  const own = await stack.harness.manager.withSocket(TENANT, (sock) =>
    sock.sendMessage(`${contact.phone}@s.whatsapp.net`, { image: outbound, mimetype: 'image/png' }),
  );
  const received = await until(
    async () => {
      const found = (await standin.control.received(contact.phone)).find(
        (item) => item.id === own?.key.id,
      );
      return found?.media?.sha256 ? found : undefined;
    },
    'the contact to download the image',
    stack.harness.config.defaultQueryTimeoutMs,
  );
  expect(received.media?.sha256).toBe(sha256(outbound));
}

describe('F1: no unexplained direct connection while a peer is present', () => {
  it(
    'carries pairing, history sync, media both ways ' + 'and the version lookup through the tunnel',
    async () => {
      peer = await stack.startPeer(TENANT);
      const { lastSeq } = await standin.control.records();
      const auditFrom = stack.audit.snapshot().recent.at(-1)?.seq ?? 0;
      await pairTenant(stack.harness, standin, TENANT, PHONE);
      await waitFor(
        () => histories[0],
        'the history sync',
        stack.harness.config.defaultQueryTimeoutMs,
      );
      await mediaBothWays();

      const { requests } = await standin.control.records(lastSeq);
      const direct = directRecords(auditFrom);
      const worker = workerConnections(requests);
      console.log(
        `[F1 with a peer] requests seen by the stand-in:\n ` +
          ` ${describeRequests(requests).join('\n  ')}`,
      );
      console.log(
        `[F1 with a peer] direct connections: ${worker.size} at the stand-in, ` +
          `${direct.length} explained in the audit ` +
          `(${direct.map((r) => `${r.host} ${r.reason}`).join(', ')}); ` +
          `unexplained: ${Math.max(0, worker.size - direct.length)}`,
      );

      const records = await standin.control.records();
      expect(connectionsOf(records, PHONE).map((c) => [c.kind, c.remoteAddress])).toEqual([
        ['registration', PEER_ADDRESS],
        ['login', PEER_ADDRESS],
      ]);
      const media = clientRequests(requests).filter((r) => r.host !== 'web.whatsapp.com');
      expect(media.length).toBeGreaterThanOrEqual(3);
      expect(new Set(media.map((r) => r.remoteAddress))).toEqual(new Set([PEER_ADDRESS]));
      // The version file carries no CORS header, so no page can read it: it
      // goes direct with that reason, and nothing else does.
      expect(direct.map((record) => [record.host, record.reason, record.leak])).toEqual([
        ['web.whatsapp.com', 'not_relayable', false],
      ]);
      expect(worker.size).toBe(direct.length);
      expect(stack.audit.tenant(TENANT).leaks).toBe(0);
      expect(stack.service.stats(TENANT)!.routes.direct.requests).toBe(1);
    },
  );

  it(
    'catches connections planted through ' + 'tls.connect, https.request and a bare fetch',
    async () => {
      const logger = captureLogger();
      const guards = installProcessGuards({ mode: 'refuse', audit: stack.audit, logger });
      const { lastSeq } = await standin.control.records();
      try {
        const viaTls = await new Promise<unknown>((resolve) => {
          const socket = tls.connect({ host: 'web.whatsapp.com', port: 443 });
          socket.on('error', resolve);
        });
        const viaHttps = await new Promise<unknown>((resolve) => {
          const request = https.request({ host: 'mmg.whatsapp.net', path: '/planted' });
          request.on('error', resolve);
          request.end();
        });
        const viaFetch = await fetch('https://mmg.whatsapp.net/planted').then(
          () => null,
          (error: unknown) => error,
        );
        expect([codeOf(viaTls), codeOf(viaHttps), codeOf(viaFetch)]).toEqual([
          'tenant_missing',
          'tenant_missing',
          'tenant_missing',
        ]);
        expect(stack.audit.snapshot().unattributed.bySource).toEqual({
          'guard:tls': 1,
          'guard:https': 1,
          'guard:fetch': 1,
        });
        expect(logger.lines.map((line) => line.fields['action'])).toEqual([
          'refused',
          'refused',
          'refused',
        ]);
      } finally {
        guards.uninstall();
      }
      expect((await standin.control.records(lastSeq)).requests).toEqual([]);
    },
  );

  it('sends all of it direct once the peer is gone, each connection with its reason', async () => {
    const from = stack.harness.transitions.length;
    peer.stop();
    await stack.harness.reach(TENANT, 'connected', moveMs, from);
    const { lastSeq } = await standin.control.records();
    const auditFrom = stack.audit.snapshot().recent.at(-1)?.seq ?? 0;
    await mediaBothWays();

    const { requests } = await standin.control.records(lastSeq);
    const direct = directRecords(auditFrom);
    expect(new Set(clientRequests(requests).map((r) => r.remoteAddress))).toEqual(
      new Set([WORKER_ADDRESS]),
    );
    expect(new Set(direct.map((record) => record.reason))).toEqual(new Set(['no_peer']));
    // Over the whole run: each connection the stand-in saw from the worker is one the audit holds.
    const all = await standin.control.records();
    expect(workerConnections(all.requests).size).toBe(directRecords(0).length);
    expect(stack.audit.tenant(TENANT).leaks).toBe(0);
  });

  it(
    'counts, logs and tells every page of a direct ' + 'connection made while the tunnel was up',
    async () => {
      const tenant = 'f1-leak';
      const from = stack.harness.transitions.length;
      const tab = await stack.startPeer(tenant);
      await pairTenant(stack.harness, standin, tenant, '15550100402');
      await stack.harness.reach(tenant, 'connected', moveMs, from);
      await waitFor(
        () => (stack.service.status(tenant)?.protected ? true : undefined),
        'the tenant to be protected',
      );
      const egress = stack.harness.manager.egress(tenant)!;
      // A code path that skipped the route decision and opened its own connection.
      stack.audit.record({
        tenant,
        source: 'dispatcher',
        host: 'mmg.whatsapp.net',
        port: 443,
        leg: 'download',
        route: 'direct',
        reason: 'skipped_decision',
        policy: egress.policy,
        peer: egress.peer,
      });

      const status = await waitFor(
        () => (tab.tenantStatus?.leaks === 1 ? tab.tenantStatus : undefined),
        'the page to hear of the leak',
      );
      expect(status).toMatchObject({
        protected: false,
        leaks: 1,
        reason: '1 direct connection to WhatsApp while the tunnel was up',
      });
      expect(stack.service.stats(tenant)!.leaks.count).toBe(1);
      expect(
        stack.logger.lines.filter(
          (line) => line.level === 'error' && line.fields['tenant'] === tenant,
        ),
      ).toHaveLength(1);
      tab.stop();
    },
  );
});
