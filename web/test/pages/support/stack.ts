import type { EgressPolicy } from '@pasarela/shared';
import { startStandin } from '@pasarela/standin';
import type { Standin } from '@pasarela/standin';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { getProcessAudit } from '../../../../session-worker/src/egress/index.js';
import type { EgressAudit } from '../../../../session-worker/src/egress/index.js';
import type { SessionManager } from '../../../../session-worker/src/session/index.js';
import type { ApiClient } from '../../../../session-worker/test/api/support/client.js';
import {
  ADMIN_KEY,
  startTestService,
} from '../../../../session-worker/test/api/support/service.js';
import type { TestService } from '../../../../session-worker/test/api/support/service.js';
import { TEST_SESSION_SETTINGS } from '../../../../session-worker/test/session/support/harness.js';
import {
  BOUNDS as TUNNEL_BOUNDS,
  TEST_TUNNEL_SETTINGS,
} from '../../../../session-worker/test/tunnel/support/fixture.js';
import {
  peerGoneBoundMs,
  RoomServer,
  testKeys,
} from '../../../../session-worker/test/tunnel/support/room.js';
import { standinDevMap } from '../../../../session-worker/test/tunnel/support/peer.js';
import { readBackendEnv } from '../../../src/backend-standin/config.js';
import { startBackend } from '../../../src/backend-standin/server.js';
import { NOTIFIER_DEFAULTS } from '../../../src/pages/ui/notifier.js';
import type { Backend } from '../../../src/backend-standin/server.js';
import { createSuiteCa } from '../../browser/support/ca.js';
import type { SuiteCa } from '../../browser/support/ca.js';
import { CHROMIUM_PATH, createBrowserProfile } from '../../browser/support/profile.js';
import type { BrowserProfile, HostRule } from '../../browser/support/profile.js';
import { Device } from './device.js';
import type { DeviceOptions } from './device.js';
import { RoomGate } from './room-gate.js';
import { buildSite } from './site.js';
import { waitFor } from './wait.js';

/** The room's name for browsers, in the reserved `.test` domain. */
export const ROOM_HOST = 'rooms.pasarela.test';

/**
 * The room's settings here: pings every second, a peer degraded above
 * 300 ms of smoothed round trip (a 250 ms delay each way makes about
 * 500 ms), gone after three unanswered pings.
 */
export const SUITE_ROOM_CONFIG = {
  pingIntervalMs: 1_000,
  goneAfterMissedPings: 3,
  degradedRttMs: 300,
  handshakeTimeoutMs: 3_000,
} as const;

/** What the pages' peers are tuned to (through the backend's page configuration). */
export const SUITE_PEER = {
  handshakeTimeoutMs: 3_000,
  probeTimeoutMs: 5_000,
  reconnect: { minDelayMs: 100, maxDelayMs: 1_000, connectionTimeoutMs: 3_000 },
} as const;

/**
 * A status change reaching every page: the worker's debounce, then two
 * seconds for the room, the tab channel and the test's poll on a busy
 * machine.
 */
const STATUS_MS = 2_000 + (TEST_TUNNEL_SETTINGS.statusDebounceMs ?? 0);

/** Bounds the suite waits with, each derived from the settings above and the worker's. */
export const BOUNDS = {
  /** The page's socket opens, says Hello, probes its three legs and answers its first ping. */
  joinMs:
    SUITE_PEER.reconnect.connectionTimeoutMs +
    SUITE_PEER.handshakeTimeoutMs +
    SUITE_PEER.probeTimeoutMs +
    2 * SUITE_ROOM_CONFIG.pingIntervalMs,
  /** The worker moves Baileys onto a ready tunnel: hysteresis, then a login. */
  moveMs:
    (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
    TEST_SESSION_SETTINGS.connectTimeoutMs * 2 +
    (TEST_TUNNEL_SETTINGS.statusDebounceMs ?? 0),
  /** The room hears the page is gone (a cut socket closes at once; a silent one takes pings). */
  goneMs: peerGoneBoundMs(SUITE_ROOM_CONFIG) + TUNNEL_BOUNDS.linkOpenMs,
  /**
   * The smoothed round trip crosses the threshold: each pong moves it 30 %
   * of the way to the new sample, so eight pings cover either direction.
   */
  rttSettleMs: 8 * SUITE_ROOM_CONFIG.pingIntervalMs,
  /** The page notices its socket was cut and says so. */
  linkLostMs: 2 * SUITE_PEER.reconnect.maxDelayMs,
  /** A status change reaches every page (debounce, room, tab channel). */
  statusMs: STATUS_MS,
  /** A change's notice is told once its burst is over. */
  noticeMs: STATUS_MS + NOTIFIER_DEFAULTS.burstMs,
} as const;

export interface TenantSpec {
  readonly id: string;
  readonly restaurant: string;
  /** The restaurant's page host, resolved by Chromium to its backend. */
  readonly pageHost: string;
  readonly policy: EgressPolicy;
}

export interface PagesStackOptions {
  readonly tenants: readonly TenantSpec[];
}

/** Pairing is a registration, a 515 and a login: each within Baileys' connect limit. */
const PAIR_MS = TEST_SESSION_SETTINGS.connectTimeoutMs * 4;

/**
 * Everything the pages need, real where it can be: the stand-in for
 * WhatsApp (its names resolved by Chromium itself, its authority trusted
 * through NSS), the room under `wrangler dev` behind a TLS gate, the whole
 * session worker (sessions with Baileys, egress, tunnel, HTTP API)
 * configured through its environment as a host runs it, one backend
 * stand-in per tenant calling that API with the tenant's own key and
 * serving the production build over https, and Debian's Chromium.
 *
 * The worker runs in this process rather than from `src/main.ts`, for one
 * reason: the leak state needs a leak, and the only way to make one is to
 * record a connection in the worker's own audit, as a code path that
 * skipped the route decision would.
 */
export class PagesStack {
  readonly ca: SuiteCa = createSuiteCa('Pasarela pages suite CA');
  readonly keys = testKeys();
  readonly adminKey = ADMIN_KEY;
  readonly tenantKeys: Record<string, string> = {};
  readonly room: RoomServer;
  readonly backends = new Map<string, Backend>();
  standin!: Standin;
  gate!: RoomGate;
  worker!: TestService;
  profile!: BrowserProfile;
  browser!: Browser;
  #removeSite: (() => Promise<void>) | null = null;
  #siteDir = '';
  readonly #extraBackends: Backend[] = [];

  private constructor(readonly options: PagesStackOptions) {
    this.room = new RoomServer({ keysJson: this.keys.json, config: SUITE_ROOM_CONFIG });
  }

  static async start(options: PagesStackOptions): Promise<PagesStack> {
    const stack = new PagesStack(options);
    try {
      await stack.#start();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The worker's API base URL, as the backends and an operator reach it. */
  get workerUrl(): string {
    return this.worker.service.http.url;
  }

  /** The admin API key's client of the worker's API. */
  get admin(): ApiClient {
    return this.worker.admin;
  }

  /** The worker's sessions, for what no route shows (the egress a leak is judged against). */
  get manager(): SessionManager {
    return this.worker.service.worker.manager;
  }

  /** The audit every egress and the tunnel of this process report to. */
  get audit(): EgressAudit {
    return getProcessAudit();
  }

  async #start(): Promise<void> {
    const [roomMs, site] = await Promise.all([
      this.room.start(),
      buildSite(),
      startStandin().then((standin) => (this.standin = standin)),
    ]);
    this.#removeSite = site.remove;
    this.#siteDir = site.dir;
    console.log(`[pages] wrangler dev answered in ${roomMs} ms; site built in ${site.ms} ms`);
    this.gate = new RoomGate({ tls: this.ca.issue([ROOM_HOST]), targetPort: this.room.port });
    await this.gate.open();
    this.worker = await startTestService(this.standin, {
      captureConsole: false,
      env: {
        PASARELA_ROOM_URL: `ws://${this.room.host}`,
        TOKEN_KEYS: this.keys.json,
        PASARELA_TUNNEL_SETTINGS: JSON.stringify(TEST_TUNNEL_SETTINGS),
      },
    });
    for (const tenant of this.options.tenants) {
      const minted = await this.admin.post<{ key: string }>(`/api/tenants/${tenant.id}/keys`, {
        label: `${tenant.restaurant} backend`,
      });
      if (minted.status !== 201) throw new Error(`minting a key answered ${minted.status}`);
      this.tenantKeys[tenant.id] = minted.body.key;
      // The operator's choice for a restaurant that has not linked yet: the API's policy
      // route answers for known tenants only, so it is stored where that route stores it.
      await this.worker.service.api.services.policies.set(tenant.id, tenant.policy, this.manager);
    }
    for (const tenant of this.options.tenants) {
      this.backends.set(tenant.id, await this.#backend(tenant, site.dir));
    }
    this.profile = await createBrowserProfile({
      authorities: [
        { name: 'pasarela-pages-suite', pem: this.ca.certPem },
        { name: 'pasarela-standin', pem: this.standin.caPem },
      ],
      hostRules: this.#hostRules(),
    });
    this.browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...this.profile.switches],
      env: this.profile.env,
      headless: true,
    });
  }

  /** An admin token for the room inspection, from the worker's token route. */
  async adminToken(tenant = '*'): Promise<string> {
    const answer = await this.admin.post<{ token: string }>('/api/tunnel/tokens', {
      role: 'admin',
      tenantId: tenant,
    });
    if (answer.status !== 200) throw new Error(`the token route answered ${answer.status}`);
    return answer.body.token;
  }

  /** The QR the worker shows for a tenant now, as its API serves it. */
  async qr(tenant: string): Promise<string> {
    const answer = await this.admin.get<{ qr: string }>(`/api/baileys/sessions/${tenant}/qr`);
    if (answer.status !== 200) throw new Error(`the QR route answered ${answer.status}`);
    return answer.body.qr;
  }

  /** The route of each leg of a tenant, from its tunnel stats. */
  async routes(tenant: string): Promise<Record<string, string>> {
    const answer = await this.admin.get<{ route: Record<string, string> }>(
      `/api/tunnel/stats/${tenant}`,
    );
    if (answer.status !== 200) throw new Error(`the stats route answered ${answer.status}`);
    return answer.body.route;
  }

  /**
   * Links a tenant's WhatsApp as an operator would through the API: the
   * session is created, the simulated phone scans the QR the API serves,
   * and the session connects.
   */
  async pair(tenant: string, phone: string): Promise<void> {
    const created = await this.admin.post('/api/baileys/sessions', { tenantId: tenant });
    if (created.status !== 201) throw new Error(`creating ${tenant} answered ${created.status}`);
    const session = async () =>
      (await this.admin.get<{ status: string; qr: boolean }>(`/api/baileys/sessions/${tenant}`))
        .body;
    await waitFor(`a QR for ${tenant}`, session, (view) => view.qr, PAIR_MS);
    await this.standin.control.scanQr(await this.qr(tenant), { phone });
    await waitFor(`${tenant} connected`, session, (view) => view.status === 'connected', PAIR_MS);
  }

  #backend(tenant: TenantSpec, siteDir: string): Promise<Backend> {
    const pair = this.ca.issue([tenant.pageHost]);
    const config = readBackendEnv({
      PASARELA_BACKEND_TENANT: tenant.id,
      PASARELA_BACKEND_RESTAURANT: tenant.restaurant,
      PASARELA_BACKEND_TENANT_KEY: this.tenantKeys[tenant.id],
      PASARELA_BACKEND_WORKER_URL: this.workerUrl,
      PASARELA_BACKEND_ROOM: ROOM_HOST,
      PASARELA_BACKEND_PORT: '0',
      PASARELA_BACKEND_SITE_DIR: siteDir,
      PASARELA_BACKEND_PEER: JSON.stringify(SUITE_PEER),
    });
    return startBackend({ ...config, tls: { cert: pair.certPem, key: pair.keyPem } });
  }

  /**
   * The local stack's way for a person's own browser: the pages over plain
   * http on a loopback address (a secure context), the room over plain ws,
   * and the peer's development host map to the stand-in's plain endpoints.
   */
  async developmentBackend(tenant: TenantSpec): Promise<Backend> {
    const config = readBackendEnv({
      PASARELA_BACKEND_TENANT: tenant.id,
      PASARELA_BACKEND_RESTAURANT: tenant.restaurant,
      PASARELA_BACKEND_TENANT_KEY: this.tenantKeys[tenant.id],
      PASARELA_BACKEND_WORKER_URL: this.workerUrl,
      PASARELA_BACKEND_ROOM: this.room.host,
      PASARELA_BACKEND_ROOM_PROTOCOL: 'ws',
      PASARELA_BACKEND_MODE: 'development',
      PASARELA_BACKEND_DEV_HOST_MAP: JSON.stringify(standinDevMap(this.standin)),
      PASARELA_BACKEND_PORT: '0',
      PASARELA_BACKEND_SITE_DIR: this.#siteDir,
      PASARELA_BACKEND_PEER: JSON.stringify(SUITE_PEER),
    });
    const backend = await startBackend(config);
    this.#extraBackends.push(backend);
    return backend;
  }

  #hostRules(): HostRule[] {
    const local = (port: number) => `127.0.0.1:${port}`;
    const standin = this.standin.hostMap['mmg.whatsapp.net'];
    if (!standin) throw new Error('the stand-in serves no mmg.whatsapp.net');
    const rules: HostRule[] = this.options.tenants.map((tenant) => ({
      host: tenant.pageHost,
      to: local(this.backends.get(tenant.id)!.port),
    }));
    rules.push(
      { host: ROOM_HOST, to: local(this.gate.port) },
      { host: 'web.whatsapp.com', to: standin },
      { host: '*.whatsapp.net', to: standin },
      { host: '*.whatsapp.com', to: standin },
      // Loopback stays itself (the development pages); nothing else resolves.
      { host: '127.0.0.1', to: '127.0.0.1' },
      { host: '*', to: '~NOTFOUND' },
    );
    return rules;
  }

  pageUrl(tenant: string, page: string, language: 'es' | 'en'): string {
    const spec = this.options.tenants.find((candidate) => candidate.id === tenant);
    if (!spec) throw new Error(`no tenant ${tenant} in this stack`);
    return `https://${spec.pageHost}${page}?lang=${language}`;
  }

  origin(tenant: string): string {
    return new URL(this.pageUrl(tenant, '/', 'es')).origin;
  }

  device(options: DeviceOptions): Promise<Device> {
    return Device.open(this.browser, options);
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.profile?.dispose();
    for (const backend of [...this.backends.values(), ...this.#extraBackends]) {
      await backend.close();
    }
    await this.worker?.close().catch(() => undefined);
    await this.gate?.close();
    await this.room.stop();
    await this.standin?.close();
    await this.#removeSite?.();
  }
}
