import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Legs } from '@pasarela/shared';
import { pairTenant, statuses } from '../../../session-worker/test/session/support/harness.js';
import { connectionsOf } from '../../../session-worker/test/tunnel/support/stack.js';
import type { CdpTab } from '../../../web/test/browser/support/cdp.js';
import { snapshot, waitUntil } from '../../../web/test/browser/support/page.js';
import { PAGE_ORIGIN } from '../../../web/test/browser/support/stack.js';
import type { Stack } from '../../../web/test/browser/support/stack.js';
import { ELSEWHERE_HOST } from './support/elsewhere.js';
import type { RestaurantNetwork } from './support/restaurant-network.js';
import { Scene } from './support/scene.js';
import {
  installedExtensions,
  installExtension,
  uninstallExtension,
} from './support/shipped-extension.js';
import { accountMedia, BOUNDS, chatUpgrades, seen } from './support/suite.js';
import type { WorkerStack } from './support/worker.js';

const WHATSAPP_ORIGIN = 'https://web.whatsapp.com';
const WORKER_ADDRESS = '127.0.0.1';
const PHONE = '15550100461';
const UPLOAD_HOSTS = ['media.fstandin-1.fna.whatsapp.net', 'mmg.whatsapp.net'];

let scene: Scene;
let stack: Stack;
let worker: WorkerStack;
let network: RestaurantNetwork;
let tenant: string;
let restaurantTab: CdpTab;
let extensionId = '';

beforeAll(async () => {
  scene = await Scene.start();
  ({ stack, worker, network, tenant } = scene);
  // The stand-in refuses what WhatsApp is reported to refuse: upgrades of another Origin.
  await stack.standin!.control.setHostFaults('web.whatsapp.com', {
    refuseUpgrades: 'foreign-origin',
  });
});

afterAll(() => scene?.stop());

const records = (since = 0) => scene.records(since);
const tenantStatus = (tab: CdpTab) => scene.tenantStatus(tab);
const openRestaurantPage = () => scene.openRestaurantPage();
const sendImage = () => scene.sendDocument();

describe('a session running direct before any tab is open', () => {
  it('pairs by QR and logs in from the cloud host', async () => {
    await pairTenant(worker.harness, stack.standin!, tenant, PHONE);
    const connections = connectionsOf(await records(), PHONE);
    expect(connections.map((c) => [c.kind, c.remoteAddress, c.origin])).toEqual([
      ['registration', WORKER_ADDRESS, WHATSAPP_ORIGIN],
      ['login', WORKER_ADDRESS, WHATSAPP_ORIGIN],
    ]);
  });
});

describe('without the extension, against a WhatsApp that refuses foreign origins', () => {
  beforeAll(async () => {
    restaurantTab = await openRestaurantPage();
  });

  it("the page's probe finds its upgrade refused, and says so in its legs", async () => {
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
    expect((await snapshot(restaurantTab)).legs).toEqual(expected);
    const probe = chatUpgrades((await records()).requests).at(-1)!;
    expect(seen(probe)).toEqual(['GET', network.restaurantAddress, PAGE_ORIGIN, 403]);
  });

  it('the WebSocket stays direct with that reason, and the tenant status says so', async () => {
    const { value } = await waitUntil(
      'the page to hear the tenant status with the media legs on the tab',
      () => tenantStatus(restaurantTab),
      (status) => status?.routes.upload === 'tunnel',
      BOUNDS.joinMs,
    );
    expect(value).toMatchObject({
      session: 'connected',
      routes: { websocket: 'direct', download: 'tunnel', upload: 'tunnel' },
      protected: false,
      reason:
        'websocket leg unavailable: upstream_refused: web.whatsapp.com refused the upgrade ' +
        "or could not be reached; it may refuse this page's Origin",
    });
    expect(worker.service.tunnel(tenant)?.controller.lastDecision).toMatchObject({
      action: 'stay',
    });
    expect(worker.changes).toEqual([]);
  });

  it('uploads still go through the page, with its own Origin, from the restaurant', async () => {
    const { uploads } = await sendImage();
    expect(uploads.map(seen)).toEqual([
      ['OPTIONS', network.restaurantAddress, PAGE_ORIGIN, 204],
      ['POST', network.restaurantAddress, PAGE_ORIGIN, 200],
    ]);
    const login = connectionsOf(await records(), PHONE).at(-1);
    expect([login?.remoteAddress, login?.closedAt]).toEqual([WORKER_ADDRESS, null]);
  });
});

describe('with the extension installed', () => {
  let beforeRegistrations = 0;

  beforeAll(async () => {
    beforeRegistrations = (await stack.standin!.control.account(PHONE)).registrations.length;
    extensionId = await installExtension(stack.browser!, scene.shipped.dir);
    // Staff reopen the page after installing: its peer joins and probes again.
    await restaurantTab.close();
    restaurantTab = await openRestaurantPage();
  });

  it('is installed from the shipped zip with its narrow permissions', async () => {
    expect(await installedExtensions(stack.browser!)).toEqual([
      expect.objectContaining({ id: extensionId, enabled: true }),
    ]);
    expect(scene.shipped.manifest.permissions).toEqual(['declarativeNetRequestWithHostAccess']);
    expect(scene.shipped.manifest.host_permissions).toEqual([
      'wss://web.whatsapp.com/*',
      'https://*.whatsapp.net/*',
      `${PAGE_ORIGIN}/*`,
    ]);
  });

  it("the page's own probe now finds every leg servable", async () => {
    expect((await snapshot(restaurantTab)).legs).toEqual({
      websocket: { status: 'ok' },
      download: { status: 'ok' },
      upload: { status: 'ok' },
    });
    const probe = chatUpgrades((await records()).requests).at(-1)!;
    expect(seen(probe)).toEqual(['GET', network.restaurantAddress, WHATSAPP_ORIGIN, 101]);
  });

  it(
    'moves the WebSocket onto the tab with a ' + "login, no QR, under WhatsApp Web's Origin",
    async () => {
      const from = worker.harness.transitions.length;
      const started = Date.now();
      await worker.harness.reach(tenant, 'connected', BOUNDS.joinMs + BOUNDS.moveMs, from);
      console.log(`[extension] the WebSocket moved onto the tab in ${Date.now() - started} ms`);
      expect(statuses(worker.harness, tenant, from)).toEqual([
        'reconnecting(route_changed)',
        'starting(route_changed)',
        'connected(opened)',
      ]);
      expect(worker.changes.at(-1)).toMatchObject({
        tenant,
        from: 'direct',
        to: 'tunnel',
        reason: 'tunnel_ready',
      });
      const { requests } = await records();
      const login = connectionsOf(await records(), PHONE).at(-1)!;
      const upgrade = requests.find((r) => r.connection === login.id)!;
      expect([login.kind, login.remoteAddress, login.origin]).toEqual([
        'login',
        network.restaurantAddress,
        WHATSAPP_ORIGIN,
      ]);
      expect(upgrade.userAgent).toMatch(/Chrome\/156\./);
      const account = await stack.standin!.control.account(PHONE);
      expect(account.registrations).toHaveLength(beforeRegistrations);
    },
  );

  it("uploads go through the tab under WhatsApp Web's Origin, preflight included", async () => {
    for (const host of UPLOAD_HOSTS) {
      await stack.standin!.control.setHostFaults(host, { refusePreflights: 'foreign-origin' });
    }
    try {
      const { uploads } = await sendImage();
      expect(uploads.map(seen)).toEqual([
        ['OPTIONS', network.restaurantAddress, WHATSAPP_ORIGIN, 204],
        ['POST', network.restaurantAddress, WHATSAPP_ORIGIN, 200],
      ]);
    } finally {
      for (const host of UPLOAD_HOSTS) await stack.standin!.control.clearHostFaults(host);
    }
  });

  it('the tenant status says every leg goes through this browser', async () => {
    const { value } = await waitUntil(
      'the page to hear that the tenant is protected',
      () => tenantStatus(restaurantTab),
      (status) => status?.protected === true,
      BOUNDS.joinMs,
    );
    expect(value).toMatchObject({
      session: 'connected',
      routes: { websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' },
      protected: true,
      reason: null,
      leaks: 0,
    });
  });

  it("leaves the page's downloads with the page's own Origin", async () => {
    const downloads = accountMedia(await records()).filter(
      (r) => r.method === 'GET' && r.remoteAddress === network.restaurantAddress,
    );
    expect(downloads.length).toBeGreaterThan(0);
    expect(new Set(downloads.map((r) => r.origin))).toEqual(new Set([PAGE_ORIGIN]));
  });

  it("leaves the same page's requests to any other host with the page's own Origin", async () => {
    const before = scene.elsewhere.records.length;
    await restaurantTab.evaluate(`new Promise((done, fail) => {
      const socket = new WebSocket('wss://${ELSEWHERE_HOST}/socket');
      socket.onopen = () => { socket.close(); done(); };
      socket.onerror = () => fail(new Error('the WebSocket to another host failed'));
    })`);
    await restaurantTab.evaluate(
      `fetch('https://${ELSEWHERE_HOST}/upload', { method: 'POST', credentials: 'omit', ` +
        `headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array(16) })` +
        `.then((answer) => answer.status)`,
    );
    expect(
      scene.elsewhere.records.slice(before).map((r) => [r.kind, r.method, r.path, r.origin]),
    ).toEqual([
      ['ws', 'GET', '/socket', PAGE_ORIGIN],
      ['http', 'OPTIONS', '/upload', PAGE_ORIGIN],
      ['http', 'POST', '/upload', PAGE_ORIGIN],
    ]);
  });

  it('leaves another site’s WebSocket to WhatsApp with that site’s Origin', async () => {
    const { lastSeq } = await records();
    const other = await stack.browser!.openTab(`https://${ELSEWHERE_HOST}/`);
    try {
      // The tab may still be leaving about:blank: a read during that navigation fails.
      await waitUntil(
        'the other site to load',
        () => other.evaluate<string>('location.origin + " " + document.readyState').catch(() => ''),
        (state) => state === `https://${ELSEWHERE_HOST} complete`,
        BOUNDS.joinMs,
      );
      const opened = await other.evaluate<boolean>(`new Promise((done) => {
        const socket = new WebSocket('wss://web.whatsapp.com/ws/chat');
        socket.onopen = () => { socket.close(); done(true); };
        socket.onclose = () => done(false);
      })`);
      expect(opened).toBe(false);
    } finally {
      await other.close();
      await restaurantTab.activate();
    }
    expect(chatUpgrades((await records(lastSeq)).requests).map(seen)).toEqual([
      ['GET', network.restaurantAddress, `https://${ELSEWHERE_HOST}`, 403],
    ]);
  });
});

describe('the extension removed mid-session', () => {
  let beforeRegistrations = 0;
  let qrs = 0;

  beforeAll(async () => {
    beforeRegistrations = (await stack.standin!.control.account(PHONE)).registrations.length;
    worker.harness.manager.on('qr', () => (qrs += 1));
    await uninstallExtension(stack.browser!, extensionId);
  });

  it('is gone from the browser, and the open WebSocket through the tab keeps working', async () => {
    expect(await installedExtensions(stack.browser!)).toEqual([]);
    // Chromium set the Origin at the handshake; an open connection is not touched again.
    const { uploads } = await sendImage();
    expect(uploads.map((r) => r.remoteAddress)).toEqual([
      network.restaurantAddress,
      network.restaurantAddress,
    ]);
    const login = connectionsOf(await records(), PHONE).at(-1)!;
    expect([login.remoteAddress, login.closedAt]).toEqual([network.restaurantAddress, null]);
  });

  it(
    'when WhatsApp next drops the socket, the refused ' +
      'upgrade sends the WebSocket direct, no QR',
    async () => {
      const from = worker.harness.transitions.length;
      const { lastSeq } = await records();
      const started = Date.now();
      await stack.standin!.control.drop(PHONE);
      await worker.harness.reach(tenant, 'connected', BOUNDS.reconnectMs, from);
      await waitUntil(
        'the WebSocket to come back direct',
        async () => connectionsOf(await records(), PHONE).at(-1),
        (login) => login?.remoteAddress === WORKER_ADDRESS && login.closedAt === null,
        BOUNDS.reconnectMs,
      );
      console.log(`[extension] back direct ${Date.now() - started} ms after the drop`);

      const upgrades = chatUpgrades((await records(lastSeq)).requests);
      expect(upgrades.map(seen)).toEqual([
        ['GET', network.restaurantAddress, PAGE_ORIGIN, 403],
        ['GET', WORKER_ADDRESS, WHATSAPP_ORIGIN, 101],
      ]);
      expect(qrs).toBe(0);
      const account = await stack.standin!.control.account(PHONE);
      expect(account.registrations).toHaveLength(beforeRegistrations);
    },
  );

  it(
    'the page and the tenant status say why this ' + 'browser no longer carries the WebSocket',
    async () => {
      expect((await snapshot(restaurantTab)).legs).toEqual({
        websocket: {
          status: 'unavailable',
          reason: 'upstream_refused: a relayed upgrade was refused or the host unreachable',
        },
        download: { status: 'ok' },
        upload: { status: 'ok' },
      });
      const { value } = await waitUntil(
        'the page to hear the WebSocket went direct',
        () => tenantStatus(restaurantTab),
        (status) => status?.routes.websocket === 'direct' && status.session === 'connected',
        BOUNDS.joinMs,
      );
      expect(value).toMatchObject({
        routes: { websocket: 'direct', download: 'tunnel', upload: 'tunnel' },
        protected: false,
        reason:
          'websocket leg unavailable: upstream_refused: a relayed upgrade was refused ' +
          'or the host unreachable',
      });
    },
  );
});
