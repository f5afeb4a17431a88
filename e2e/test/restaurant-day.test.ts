import { decodeMessage, PROTOCOL_DEFAULTS } from '@pasarela/shared';
import type { ContactView } from '@pasarela/standin';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PageTab, RestaurantBrowser } from '../support/browser.js';
import {
  contactReceives,
  createRestaurant,
  idempotencyKey,
  photo,
  sessionReads,
  sha256,
  workerReceives,
} from '../support/day.js';
import {
  loginsOf,
  mediaOf,
  registrationsOf,
  requestsFrom,
  sourceOf,
  unexplained,
} from '../support/records.js';
import { DayReport, refusals } from '../support/report.js';
import { BOUNDS, ROOM_CONFIG } from '../support/settings.js';
import { until } from '../support/wait.js';
import { ARTIFACTS, ROOM_HOST, World } from '../support/world.js';
import type { Restaurant } from '../support/world.js';

/**
 * A restaurant's day, proven from outside: the session worker runs as a
 * process on the cloud host's network, each restaurant's Chromium on its
 * own, and the stand-in in place of WhatsApp records every connection's
 * source address, Origin and User-Agent. Each case builds on the one
 * before, as the day does.
 */
const world = new World();
const report = new DayReport();
let A: Restaurant;
let B: Restaurant;
let phoneA = '';
let phoneB = '';
let customer: ContactView;
let frontDesk: RestaurantBrowser;
let connectA: PageTab;
let office: PageTab;
/** The image the customer sent restaurant A (scenario 3), downloaded again in scenario 6. */
let customerPhoto: { id: string; bytes: Buffer } | null = null;

const time = (iso: string) => new Date(iso).getTime();
const records = () => world.control.records();

/**
 * The page says protected within the status bound; if not, the failure adds
 * what each of the tenant's peers told the room about its legs.
 */
async function isProtected(page: PageTab, restaurant: Restaurant) {
  try {
    return await page.untilState('protected', BOUNDS.statusMs);
  } catch (error) {
    const peers = (await world.room.inspect(restaurant.tenant)).peers;
    const legs = peers.map((p) => ({ peer: p.peerId, state: p.state, legs: p.legs }));
    throw new Error(`${(error as Error).message}; the room holds ${JSON.stringify(legs)}`);
  }
}

/** Messages of the customer the sessions refused, and how often the worker published each. */
async function refusedSoFar() {
  const published = (id: string) =>
    world.events.events.filter((e) => e.type === 'message.received' && e.data['id'] === id).length;
  return refusals(
    await world.control.failures(),
    await world.control.sent(customer.phone),
    published,
  );
}

/** Why the world could not be built (no namespaces, no Chromium, …), if it could not. */
let notBuilt: unknown = null;

beforeAll(async () => {
  try {
    await world.start();
    A = await world.restaurant('trattoria-roma', 'Trattoria Roma', 1);
    B = await world.restaurant('taqueria-sol', 'Taquería del Sol', 2);
    customer = await world.control.createContact({ name: 'Lucía' });
  } catch (error) {
    // A failing hook would leave the cases reported as skipped; each one fails instead.
    notBuilt = error;
  }
});

beforeEach(async () => {
  if (notBuilt !== null) throw notBuilt;
  await world.assertWorkerAlive();
});

afterAll(async () => {
  try {
    if (notBuilt === null) {
      await report.write(
        ARTIFACTS,
        await records(),
        [
          { address: world.cloud.address, route: 'direct', name: 'cloud host' },
          ...[...world.restaurants.values()].map((r) => ({
            address: r.site.address,
            route: 'tunnel' as const,
            name: r.name,
          })),
        ],
        await refusedSoFar(),
      );
    }
  } finally {
    await world.stop();
  }
});

describe("a restaurant's day, as WhatsApp would see it", () => {
  it(
    '1. a new tenant with no tab open starts direct, shows a QR, the phone scans ' +
      'it, the 515 restart is handled, and no second QR comes',
    async () => {
      const { qr, createdAt, qrAt } = await createRestaurant(world, A);
      report.time('tenant created to its first QR', qrAt - createdAt, BOUNDS.qrMs);
      const scannedAt = Date.now();
      phoneA = (await world.control.scanQr(qr)).phone;
      await sessionReads(world, A, (s) => s.status === 'connected', 'connected', BOUNDS.pairedMs);
      report.time(
        'QR scanned to connected (pair-success, 515, login)',
        Date.now() - scannedAt,
        BOUNDS.pairedMs,
      );

      const seen = await records();
      const [registration, ...more] = registrationsOf(seen, phoneA);
      expect(more).toEqual([]);
      expect(registration).toMatchObject({ result: 'paired', method: 'qr' });
      const pairing = seen.connections.find((c) => c.id === registration!.connection);
      expect(pairing?.outcome).toBe('stream-error 515');
      const logins = loginsOf(seen, phoneA);
      expect(logins.length).toBeGreaterThan(0);
      expect(new Set(logins.map((l) => [l.address, l.origin].join(' ')))).toEqual(
        new Set([`${world.cloud.address} https://web.whatsapp.com`]),
      );
      // No tab yet: whatever WhatsApp tied to the account came from the cloud host (the
      // pairing's first sync may fetch no media), and nothing came from the restaurant.
      const ofA = seen.requests.filter((r) => r.account === phoneA && r.party === null);
      expect(ofA.length).toBeGreaterThan(0);
      expect(new Set(ofA.map(sourceOf))).toEqual(new Set([world.cloud.address]));
      expect(requestsFrom(seen, A.site.address)).toEqual([]);
      const paired = world.events.of(A.tenant, 'session.paired');
      expect(paired).toHaveLength(1);
      expect(world.events.of(A.tenant, 'session.qr', paired[0]!.id)).toEqual([]);
      const session = (await world.api.session(A.tenant, A.key)).body;
      expect(session).toMatchObject({
        status: 'connected',
        route: 'direct',
        egressPolicy: 'prefer-tunnel',
      });
    },
  );

  it(
    '2. the connect page opens at the restaurant and staff consent: WhatsApp moves ' +
      'to the tab, everything of the tenant comes from the restaurant, the indicator ' +
      'says protected, no direct connection is unexplained',
    async () => {
      frontDesk = await world.browser(A, 'front desk');
      connectA = await frontDesk.tab(
        world.pageUrl(A, 'whatsapp-connect'),
        'connect',
        BOUNDS.joinMs,
      );
      const before = await connectA.reading();
      expect(before).toMatchObject({ state: 'server', cause: 'not-joined' });
      const consentAt = Date.now();
      await connectA.consent(BOUNDS.joinMs);
      const login = await until(
        'a login through the tab',
        async () =>
          loginsOf(await records(), phoneA, consentAt).find((l) => l.address === A.site.address),
        BOUNDS.ontoTunnelMs,
      );
      report.time(
        'consent to the first login through the tab (restaurant A)',
        login.time - consentAt,
        BOUNDS.ontoTunnelMs,
      );
      const reading = await isProtected(connectA, A);
      expect(reading.headline).toBe('Protected');
      expect(login.origin).toBe(`https://${A.pageHost}`);
      expect(login.userAgent).toMatch(/HeadlessChrome\/\d+/);

      const seen = await records();
      const upgrade = seen.connections.find((c) => c.id === login.connection)!.requestSeq;
      const afterMove = seen.requests.filter((r) => r.seq >= upgrade && r.account === phoneA);
      expect(new Set(afterMove.map(sourceOf))).toEqual(new Set([A.site.address]));
      const direct = requestsFrom(seen, world.cloud.address, upgrade);
      const audit = await world.api.audit();
      expect(unexplained(direct, audit.recent, A.tenant)).toEqual([]);
      expect(audit.tenants[A.tenant]?.leaks).toBe(0);
      console.log(`[e2e] direct requests after the move: ${direct.length}, all explained`);
      const stats = await world.api.stats(A.tenant, A.key);
      expect(stats.route).toEqual({ websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' });
      expect(stats.leaks.count).toBe(0);
    },
  );

  it(
    '3. with the tab open, messages flow both ways and an image goes each way, ' +
      'byte-exact, through the restaurant',
    async () => {
      const since = (await records()).lastSeq;
      const after = world.events.lastId;
      await world.control.sendFromContact(customer.phone, phoneA, {
        text: '¿Tenéis mesa para cuatro?',
      });
      const table = photo(300 * 1024);
      await world.control.sendFromContact(customer.phone, phoneA, {
        image: { data: table, mimetype: 'image/png', caption: 'Esta mesa' },
      });
      await workerReceives(
        world,
        A.tenant,
        (d) => d['text'] === '¿Tenéis mesa para cuatro?',
        'the question',
        BOUNDS.messageMs,
        after,
      );
      const image = await workerReceives(
        world,
        A.tenant,
        (d) => d['type'] === 'image',
        'the photo',
        BOUNDS.messageMs,
        after,
      );
      const id = String(image.data['id']);
      const download = await world.api.media(A.tenant, A.key, id);
      expect(download.status).toBe(200);
      expect(sha256(download.bytes)).toBe(sha256(table));
      customerPhoto = { id, bytes: table };

      const reply = await world.api.call(
        'POST',
        `/api/baileys/sessions/${A.tenant}/messages/text`,
        {
          key: A.key,
          body: { to: customer.phone, text: 'Sí, a las nueve' },
        },
      );
      expect(reply.status).toBe(201);
      const menu = photo(250 * 1024);
      const sent = await world.api.call(
        'POST',
        `/api/baileys/sessions/${A.tenant}/messages/media`,
        {
          key: A.key,
          body: {
            to: customer.phone,
            kind: 'image',
            mimetype: 'image/png',
            caption: 'La carta',
            data: menu.toString('base64'),
          },
        },
      );
      expect(sent.status).toBe(201);
      await contactReceives(
        world,
        customer.phone,
        (m) => m.text === 'Sí, a las nueve',
        'the answer',
      );
      const got = await contactReceives(
        world,
        customer.phone,
        (m) => m.media?.sha256 === sha256(menu),
        'the menu',
      );
      expect(got.media?.size).toBe(menu.length);

      const seen = await records();
      const media = mediaOf(seen, phoneA, since);
      expect(media.some((r) => r.method === 'GET')).toBe(true);
      expect(media.some((r) => r.method === 'POST')).toBe(true);
      expect(new Set(media.map((r) => `${sourceOf(r)} ${r.origin}`))).toEqual(
        new Set([`${A.site.address} https://${A.pageHost}`]),
      );
      const audit = await world.api.audit();
      expect(
        unexplained(requestsFrom(seen, world.cloud.address, since), audit.recent, A.tenant),
      ).toEqual([]);
    },
  );

  it(
    '4. the tab closes: the tenant is direct within the bound, still logged in, ' +
      'messages sent meanwhile arrive once, and the API and a paused page say the ' +
      'server route is in use',
    async () => {
      const officeBrowser = await world.browser(A, 'office');
      office = await officeBrowser.tab(world.pageUrl(A, 'dashboard'), 'dashboard', BOUNDS.joinMs);
      await office.consent(BOUNDS.joinMs);
      await office.pause();
      await until(
        'the room to hold a paused office peer beside the front desk',
        async () => {
          const room = await world.room.inspect(A.tenant);
          return room.peers.length === 2 && room.peers.some((p) => p.state === 'paused')
            ? room
            : undefined;
        },
        BOUNDS.joinMs + BOUNDS.statusMs,
      );
      expect((await world.api.stats(A.tenant, A.key)).route.websocket).toBe('tunnel');

      const after = world.events.lastId;
      const throughTab = loginsOf(await records(), phoneA)
        .filter((l) => l.address === A.site.address)
        .at(-1)!;
      const closedAt = Date.now();
      await connectA.close();
      // The customer writes once WhatsApp has seen the tab's connection end: from then on
      // until the direct login the account has no connection, and each message waits for it.
      const tabGone = await until(
        "WhatsApp to see the tab's connection end",
        async () => {
          const seen = await records();
          const closed = seen.connections.find((c) => c.id === throughTab.connection)?.closedAt;
          return closed ? time(closed) : undefined;
        },
        BOUNDS.goneMs,
        10,
      );
      const meanwhile = ['Mientras tanto 1', 'Mientras tanto 2', 'Mientras tanto 3'];
      const written = await Promise.all(
        meanwhile.map((text) => world.control.sendFromContact(customer.phone, phoneA, { text })),
      );
      const direct = await until(
        'a login from the cloud host',
        async () =>
          loginsOf(await records(), phoneA, closedAt).find(
            (l) => l.address === world.cloud.address,
          ),
        BOUNDS.failoverMs,
      );
      report.time(
        'tab closed to WhatsApp direct (failover, restaurant A)',
        direct.time - closedAt,
        BOUNDS.failoverMs,
      );
      const sentAt = written.map((m) => time(m.time) - tabGone);
      console.log(
        `[e2e] the customer wrote ${sentAt.join(', ')} ms after the tab's connection ended; ` +
          `the direct login came ${direct.time - tabGone} ms after it`,
      );
      expect(sentAt.every((ms) => ms >= 0)).toBe(true);

      const key = idempotencyKey('meanwhile');
      const sent = await until(
        'the send to be taken once the session is back',
        async () => {
          const answer = await world.api.call(
            'POST',
            `/api/baileys/sessions/${A.tenant}/messages/text`,
            {
              key: A.key,
              headers: { 'idempotency-key': key },
              body: { to: customer.phone, text: 'Os esperamos' },
            },
          );
          return answer.status === 409 ? undefined : answer;
        },
        BOUNDS.failoverMs,
      );
      expect(sent.status).toBe(201);
      const since = (await records()).lastSeq;
      const dessert = photo(90 * 1024);
      const image = await world.api.call(
        'POST',
        `/api/baileys/sessions/${A.tenant}/messages/media`,
        {
          key: A.key,
          body: {
            to: customer.phone,
            kind: 'image',
            mimetype: 'image/png',
            data: dessert.toString('base64'),
          },
        },
      );
      expect(image.status).toBe(201);
      await contactReceives(
        world,
        customer.phone,
        (m) => m.media?.sha256 === sha256(dessert),
        'the dessert',
      );
      const uploads = mediaOf(await records(), phoneA, since).filter((r) => r.method === 'POST');
      expect(new Set(uploads.map(sourceOf))).toEqual(new Set([world.cloud.address]));
      for (const text of meanwhile) {
        await workerReceives(
          world,
          A.tenant,
          (d) => d['text'] === text,
          text,
          BOUNDS.messageMs,
          after,
        );
      }
      await world.control.sendFromContact(customer.phone, phoneA, { text: 'Último' });
      await workerReceives(
        world,
        A.tenant,
        (d) => d['text'] === 'Último',
        'the last one',
        BOUNDS.messageMs,
        after,
      );
      const received = world.events
        .of(A.tenant, 'message.received', after)
        .map((e) => e.data['text']);
      expect(meanwhile.map((text) => received.filter((t) => t === text).length)).toEqual([1, 1, 1]);
      await contactReceives(
        world,
        customer.phone,
        (m) => m.text === 'Os esperamos',
        'the restaurant',
      );
      const atCustomer = await world.control.received(customer.phone);
      expect(atCustomer.filter((m) => m.text === 'Os esperamos')).toHaveLength(1);

      expect(registrationsOf(await records(), phoneA)).toHaveLength(1);
      expect(world.events.of(A.tenant, 'session.qr', after)).toEqual([]);
      const session = (await world.api.session(A.tenant, A.key)).body;
      // The office's paused peer may still be in the room; it carries nothing.
      expect(session).toMatchObject({ status: 'connected', route: 'direct', tunnelHealthy: false });
      const stats = await world.api.stats(A.tenant, A.key);
      expect(stats.route).toEqual({ websocket: 'direct', download: 'direct', upload: 'direct' });
      const reading = await office.untilState('server', BOUNDS.statusMs, (r) => r.paused);
      expect(reading.headline).toBe('Using the server');
      expect(reading.explanation).toContain('through the server');
    },
  );

  it('5. the tab reopens: back on the tunnel, with no QR, the session kept', async () => {
    const after = world.events.lastId;
    const openedAt = Date.now();
    connectA = await frontDesk.tab(
      world.pageUrl(A, 'whatsapp-connect'),
      'connect again',
      BOUNDS.joinMs,
    );
    const consentAsked = await connectA.tab.evaluate<boolean>(
      `document.querySelector('[data-testid=consent]')?.open === true`,
    );
    expect(consentAsked).toBe(false);
    const back = await until(
      'a login through the tab again',
      async () =>
        loginsOf(await records(), phoneA, openedAt).find((l) => l.address === A.site.address),
      BOUNDS.ontoTunnelMs,
    );
    report.time(
      'tab reopened to WhatsApp through it again (return, restaurant A)',
      back.time - openedAt,
      BOUNDS.ontoTunnelMs,
    );
    await isProtected(connectA, A);
    expect(registrationsOf(await records(), phoneA)).toHaveLength(1);
    expect(world.events.of(A.tenant, 'session.qr', after)).toEqual([]);
    await sessionReads(
      world,
      A,
      (s) => s.status === 'connected' && s.route === 'tunnel',
      'connected through the tab',
      BOUNDS.statusMs,
    );
  });

  it(
    '6. the tunnel fails mid-request: a download not yet answered completes direct, ' +
      'one cut after its headers fails with a code and is not replayed, a send in ' +
      'flight is reported unknown and not repeated, and the session persists',
    async () => {
      expect(customerPhoto).not.toBeNull();
      const { id, bytes } = customerPhoto!;
      await world.control.setAccountFaults(phoneA, { holdMediaHeaders: true, holdAcks: true });
      const since = (await records()).lastSeq;
      const download = world.api.media(A.tenant, A.key, id);
      const sendKey = idempotencyKey('in-flight');
      const send = world.api.call('POST', `/api/baileys/sessions/${A.tenant}/messages/text`, {
        key: A.key,
        headers: { 'idempotency-key': sendKey },
        body: { to: customer.phone, text: 'Pedido en vuelo' },
      });
      const held = await until(
        'the download held at WhatsApp, from the restaurant',
        async () =>
          mediaOf(await records(), phoneA, since).find(
            (r) => r.method === 'GET' && sourceOf(r) === A.site.address && r.status === null,
          ),
        BOUNDS.messageMs,
      );
      await contactReceives(
        world,
        customer.phone,
        (m) => m.text === 'Pedido en vuelo',
        'the order in flight',
      );
      const cutAt = Date.now();
      await A.site.cut();
      const retried = await until(
        'the held download sent again from the cloud host',
        async () =>
          mediaOf(await records(), phoneA, since).find(
            (r) => r.path === held.path && sourceOf(r) === world.cloud.address,
          ),
        BOUNDS.failoverMs,
      );
      report.time(
        'line cut to the unanswered download retried direct',
        time(retried.time) - cutAt,
        BOUNDS.failoverMs,
      );
      await world.control.clearAccountFaults(phoneA);
      const completed = await download;
      expect(completed.status).toBe(200);
      expect(sha256(completed.bytes)).toBe(sha256(bytes));
      const unknown = await send;
      expect([
        unknown.status,
        (unknown.body['error'] as { code?: string } | undefined)?.code,
      ]).toEqual([502, 'outcome_unknown']);
      const direct = await until(
        'a login from the cloud host after the cut',
        async () =>
          loginsOf(await records(), phoneA, cutAt).find((l) => l.address === world.cloud.address),
        BOUNDS.failoverMs,
      );
      report.time(
        'line cut to WhatsApp direct (failover on a silent line)',
        direct.time - cutAt,
        BOUNDS.failoverMs,
      );

      const restoredAt = Date.now();
      await A.site.restore();
      const again = await world.api.call(
        'POST',
        `/api/baileys/sessions/${A.tenant}/messages/text`,
        {
          key: A.key,
          headers: { 'idempotency-key': sendKey },
          body: { to: customer.phone, text: 'Pedido en vuelo' },
        },
      );
      expect(
        (again.body['error'] as { code?: string } | undefined)?.code ?? again.body['state'],
      ).toBe('outcome_unknown');
      const later = await world.api.call(
        'POST',
        `/api/baileys/sessions/${A.tenant}/messages/text`,
        {
          key: A.key,
          body: { to: customer.phone, text: 'Después del corte' },
        },
      );
      expect(later.status).toBe(201);
      await contactReceives(
        world,
        customer.phone,
        (m) => m.text === 'Después del corte',
        'the next message',
      );
      const inFlight = (await world.control.received(customer.phone)).filter(
        (m) => m.text === 'Pedido en vuelo',
      );
      expect(inFlight).toHaveLength(1);

      const rejoinMs =
        BOUNDS.ontoTunnelMs + ROOM_CONFIG.pingIntervalMs * ROOM_CONFIG.goneAfterMissedPings;
      const rejoined = await until(
        'WhatsApp back through the tab after the line returned',
        async () =>
          loginsOf(await records(), phoneA, restoredAt).find((l) => l.address === A.site.address),
        rejoinMs,
      );
      report.time(
        'line back to WhatsApp through the tab again',
        rejoined.time - restoredAt,
        rejoinMs,
      );
      // The next download must start through the tab: every route back on it first.
      await until(
        'every route of restaurant A through the tab again',
        async () => {
          const { route } = await world.api.stats(A.tenant, A.key);
          return Object.values(route).every((r) => r === 'tunnel') ? route : undefined;
        },
        BOUNDS.statusMs,
      );

      await world.control.setAccountFaults(phoneA, { stallMediaBody: true });
      const since2 = (await records()).lastSeq;
      const stalled = world.api.media(A.tenant, A.key, id);
      const started = await until(
        'the answer to have started through the tab',
        async () => {
          const answer = mediaOf(await records(), phoneA, since2).find(
            (r) => r.method === 'GET' && r.status === 200,
          );
          const room = await world.room.inspect(A.tenant);
          const flowing = room.streams.some((s) => s.kind === 'http' && s.bytesToWorker > 0);
          return answer && flowing ? answer : undefined;
        },
        BOUNDS.messageMs,
      );
      expect(sourceOf(started)).toBe(A.site.address);
      const cut2At = Date.now();
      await A.site.cut();
      const failed = await stalled;
      report.time(
        'line cut to the started download failing',
        Date.now() - cut2At,
        BOUNDS.failoverMs,
      );
      expect([failed.status, failed.code]).toEqual([502, 'media_download_failed']);
      const attempts = () =>
        records().then((seen) =>
          mediaOf(seen, phoneA, since2).filter((r) => r.path === started.path),
        );
      expect((await attempts()).map((r) => r.seq)).toEqual([started.seq]);
      const tunnelFailures = (await world.api.stats(A.tenant, A.key)).routes.tunnel.failed;
      console.log(
        `[e2e] tunnel failures by code after the cuts: ${JSON.stringify(tunnelFailures)}`,
      );
      await world.control.clearAccountFaults(phoneA);
      const restored2At = Date.now();
      await A.site.restore();

      await until(
        'WhatsApp back through the tab after the second cut',
        async () =>
          loginsOf(await records(), phoneA, restored2At).find((l) => l.address === A.site.address),
        rejoinMs,
      );
      expect(registrationsOf(await records(), phoneA)).toHaveLength(1);
      // WhatsApp logs the session in a moment before the worker hears it is open.
      await sessionReads(
        world,
        A,
        (s) => s.status === 'connected' && s.route === 'tunnel',
        'connected through the tab',
        BOUNDS.statusMs,
      );
      await isProtected(connectA, A);
      // Neither route took the download that failed after its headers again, line back or not.
      expect((await attempts()).map((r) => r.seq)).toEqual([started.seq]);
    },
  );

  it(
    '7. two tenants, each with its own tab: each uses only its own tunnel, one ' +
      "closing changes nothing for the other, stats are separate, and one's peer " +
      "token is refused by the other's room",
    async () => {
      const { qr } = await createRestaurant(world, B);
      phoneB = (await world.control.scanQr(qr)).phone;
      await sessionReads(world, B, (s) => s.status === 'connected', 'connected', BOUNDS.pairedMs);
      const deskB = await world.browser(B, 'front desk');
      const connectB = await deskB.tab(
        world.pageUrl(B, 'whatsapp-connect', 'es'),
        'connect',
        BOUNDS.joinMs,
      );
      const consentAt = Date.now();
      await connectB.consent(BOUNDS.joinMs);
      const loginB = await until(
        'B through its own tab',
        async () =>
          loginsOf(await records(), phoneB, consentAt).find((l) => l.address === B.site.address),
        BOUNDS.ontoTunnelMs,
      );
      report.time(
        'consent to the first login through the tab (restaurant B)',
        loginB.time - consentAt,
        BOUNDS.ontoTunnelMs,
      );
      await isProtected(connectB, B);
      await isProtected(connectA, A);

      const since = (await records()).lastSeq;
      const after = world.events.lastId;
      const forB = photo(120 * 1024);
      await world.control.sendFromContact(customer.phone, phoneB, {
        image: { data: forB, mimetype: 'image/png', caption: 'Para llevar' },
      });
      const imageB = await workerReceives(
        world,
        B.tenant,
        (d) => d['type'] === 'image',
        'the photo',
        BOUNDS.messageMs,
        after,
      );
      const roomA = (await world.room.inspect(A.tenant)).stats;
      const statsA = await world.api.stats(A.tenant, A.key);
      const roomBBefore = (await world.room.inspect(B.tenant)).stats;
      const downloadB = await world.api.media(B.tenant, B.key, String(imageB.data['id']));
      expect(sha256(downloadB.bytes)).toBe(sha256(forB));
      await until(
        "B's room to count the download",
        async () => {
          const stats = (await world.room.inspect(B.tenant)).stats;
          return stats.requestsSent > roomBBefore.requestsSent ? stats : undefined;
        },
        ROOM_CONFIG.statsFlushMs * 4,
      );
      expect((await world.room.inspect(A.tenant)).stats.requestsSent).toBe(roomA.requestsSent);
      expect((await world.api.stats(A.tenant, A.key)).requestsSent).toBe(statsA.requestsSent);
      const seen = await records();
      expect(new Set(mediaOf(seen, phoneB, since).map(sourceOf))).toEqual(
        new Set([B.site.address]),
      );
      expect(mediaOf(seen, phoneA, since).filter((r) => sourceOf(r) !== A.site.address)).toEqual(
        [],
      );
      const peerA = (await world.api.stats(A.tenant, A.key)).peer;
      const peerB = (await world.api.stats(B.tenant, B.key)).peer;
      expect(peerA?.peerId).not.toBe(peerB?.peerId);

      const lastA = loginsOf(seen, phoneA).at(-1)!;
      expect(lastA.address).toBe(A.site.address);
      const closedAt = Date.now();
      await connectB.close();
      const directB = await until(
        'B direct from the cloud host',
        async () =>
          loginsOf(await records(), phoneB, closedAt).find(
            (l) => l.address === world.cloud.address,
          ),
        BOUNDS.failoverMs,
      );
      report.time(
        'tab closed to WhatsApp direct (failover, restaurant B)',
        directB.time - closedAt,
        BOUNDS.failoverMs,
      );
      const now = await records();
      expect(loginsOf(now, phoneA, closedAt)).toEqual([]);
      expect(now.connections.find((c) => c.id === lastA.connection)?.closedAt).toBeNull();
      expect((await world.api.session(A.tenant, A.key)).body.route).toBe('tunnel');
      expect((await connectA.reading()).state).toBe('protected');

      const tokenA = await world.api.call<{ token: string }>('POST', '/api/tunnel/tokens', {
        key: A.key,
        body: { role: 'peer', tenantId: A.tenant },
      });
      expect(tokenA.status).toBe(200);
      expect(await refusalOf(B.tenant, tokenA.body.token)).toBe('auth_wrong_tenant');
      const refusals = (await world.room.inspect(B.tenant)).stats.refusals as Record<
        string,
        number
      >;
      expect(refusals['auth_wrong_tenant']).toBe(1);
      const crossKey = await world.api.call('POST', '/api/tunnel/tokens', {
        key: B.key,
        body: { role: 'peer', tenantId: A.tenant },
      });
      expect([crossKey.status, (crossKey.body['error'] as { code: string }).code]).toEqual([
        403,
        'auth_wrong_tenant',
      ]);
    },
  );

  it(
    '8. under tunnel-only, closing the tab stops WhatsApp traffic instead of going ' +
      'direct, and a paused page and the API say so',
    async () => {
      const policy = await world.api.call('PUT', `/api/baileys/sessions/${A.tenant}/policy`, {
        key: A.key,
        body: { policy: 'tunnel-only' },
      });
      expect(policy.status).toBe(200);
      expect((await world.api.stats(A.tenant, A.key)).route.websocket).toBe('tunnel');
      const since = (await records()).lastSeq;
      const closedAt = Date.now();
      await connectA.close();
      const waiting = await sessionReads(
        world,
        A,
        (s) => s.route === 'none',
        'route none',
        BOUNDS.failoverMs,
      );
      report.time(
        'tab closed to WhatsApp paused (tunnel-only)',
        Date.now() - closedAt,
        BOUNDS.failoverMs,
      );
      // Either the tab's peer is gone from the room, or the office's paused one is what is left.
      expect(waiting.tunnel).toMatch(/^(no peer connected|relaying paused by staff)$/);
      const reading = await office.untilState('server', BOUNDS.statusMs, (r) => r.waitingForTab);
      expect(reading.headline).toBe('Not protected: WhatsApp paused');
      await new Promise((done) => setTimeout(done, BOUNDS.failoverMs));
      const seen = await records();
      const fromCloud = requestsFrom(seen, world.cloud.address, since).filter((r) => {
        const connection = seen.connections.find((c) => c.requestSeq === r.seq);
        return r.account === phoneA || (r.kind === 'ws' && connection?.account !== phoneB);
      });
      console.log(
        `[e2e] watched ${BOUNDS.failoverMs} ms after the pause: ` +
          `${fromCloud.length} direct requests of restaurant A`,
      );
      expect(fromCloud).toEqual([]);
      expect(loginsOf(seen, phoneA, closedAt)).toEqual([]);
      expect((await world.control.account(phoneA)).open).toBe(0);
    },
  );
});

/**
 * Joins a tenant's room as a page would, with `token`, and resolves with
 * the catalogue code of the room's Error frame: the room sends it before
 * it closes a connection it refuses.
 */
function refusalOf(tenant: string, token: string): Promise<string> {
  return new Promise((done, fail) => {
    const url = `wss://127.0.0.1:${world.room.port}/parties/tunnel/${tenant}?token=${token}`;
    // The room's name for the certificate check and the Host header, its address to connect.
    const options = { ca: world.ca.certPem, servername: ROOM_HOST, headers: { host: ROOM_HOST } };
    const socket = new WebSocket(url, options as WebSocket.ClientOptions);
    socket.binaryType = 'arraybuffer';
    socket.on('message', (data: ArrayBuffer) => {
      const message = decodeMessage(new Uint8Array(data), PROTOCOL_DEFAULTS.maxFrameSize);
      socket.terminate();
      done(message.kind === 'error' ? message.body.code : `unexpected ${message.kind}`);
    });
    socket.on('close', () => done('closed without an Error frame'));
    socket.on('error', fail);
  });
}
