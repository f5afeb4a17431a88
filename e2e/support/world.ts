import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TokenKeySet } from '@pasarela/shared';
import { startStandin } from '@pasarela/standin';
import type { Standin } from '@pasarela/standin';
import { readBackendEnv } from '../../web/src/backend-standin/config.js';
import { startBackend } from '../../web/src/backend-standin/server.js';
import type { Backend } from '../../web/src/backend-standin/server.js';
import { createSuiteCa } from '../../web/test/browser/support/ca.js';
import type { SuiteCa } from '../../web/test/browser/support/ca.js';
import { RoomServer } from '../../web/test/browser/support/room-server.js';
import { buildSite } from '../../web/test/pages/support/site.js';
import { EventLog, WorkerApi } from './api.js';
import { RestaurantBrowser } from './browser.js';
import { requireRoot, Site } from './network.js';
import { PEER_TUNING, ROOM_CONFIG, TUNNEL_OVERRIDES } from './settings.js';
import { WorkerProcess } from './worker.js';

/** The room's name for pages and the worker alike, in the reserved `.test` domain. */
export const ROOM_HOST = 'rooms.pasarela.test';
/** The worker's API port inside the cloud's namespace (a port space of its own). */
const WORKER_PORT = 3000;
/** Test artifacts (git-ignored): the worker's log and the suite's report. */
export const ARTIFACTS = resolve(import.meta.dirname, '../../artifacts/e2e');

export interface Restaurant {
  readonly tenant: string;
  readonly name: string;
  readonly site: Site;
  /** The restaurant's own site name, served by its backend. */
  readonly pageHost: string;
  key: string;
  backend: Backend | null;
}

/**
 * Everything the restaurant's day runs on. Three networks: the cloud host
 * (the session worker process) and two restaurants (Chromium), each with a
 * source address of its own. On this host: the WhatsApp stand-in recording
 * what arrives from where, the room under `wrangler dev` over https, and
 * each restaurant's backend (the backend stand-in) serving the production
 * build of the pages.
 */
export class World {
  readonly cloud = new Site('cloud', 0);
  readonly ca: SuiteCa = createSuiteCa('Pasarela end-to-end suite CA');
  readonly keys: TokenKeySet = {
    signingKeyId: 'e2e',
    keys: { e2e: randomBytes(32).toString('base64url') },
  };
  readonly adminKey = randomBytes(32).toString('base64url');
  readonly room = new RoomServer({
    hostName: ROOM_HOST,
    tls: this.ca.issue([ROOM_HOST]),
    caPem: this.ca.certPem,
    keys: this.keys,
    brokerConfig: ROOM_CONFIG,
  });
  readonly events = new EventLog();
  readonly browsers: RestaurantBrowser[] = [];
  readonly restaurants = new Map<string, Restaurant>();
  standin!: Standin;
  worker!: WorkerProcess;
  api!: WorkerApi;
  #dir = '';
  #site: { dir: string; remove(): Promise<void> } | null = null;
  readonly #sites: Site[] = [this.cloud];

  async start(): Promise<void> {
    // Before anything starts: without namespaces there is nothing to prove.
    requireRoot();
    this.#dir = await mkdtemp(join(tmpdir(), 'pasarela-e2e-'));
    await mkdir(ARTIFACTS, { recursive: true });
    // Every part settles before a failure is thrown, so `stop` finds all that started.
    const parts = await Promise.allSettled([
      buildSite().then((site) => (this.#site = site)),
      this.room.start().then((ms) => console.log(`[e2e] wrangler dev answered in ${ms} ms`)),
      startStandin({ tls: { host: '127.0.0.1' }, plain: false }).then((s) => (this.standin = s)),
      this.cloud.create({ [ROOM_HOST]: this.cloud.hostAddress }),
    ]);
    const failed = parts.find((part) => part.status === 'rejected');
    if (failed) throw failed.reason;
    const suiteCa = join(this.#dir, 'suite-ca.pem');
    await writeFile(suiteCa, this.ca.certPem);
    const standin = `${this.cloud.hostAddress}:${this.standinPort}`;
    const hostMap = Object.fromEntries(
      Object.keys(this.standin.hostMap).map((name) => [name, standin]),
    );
    this.worker = new WorkerProcess(
      this.cloud,
      WORKER_PORT,
      {
        NODE_ENV: 'development',
        PASARELA_ADMIN_KEY: this.adminKey,
        PASARELA_SQLITE_PATH: join(this.#dir, 'pasarela.db'),
        PASARELA_HOST_MAP: JSON.stringify(hostMap),
        PASARELA_CA_FILE: this.standin.caPath,
        // The room's certificate comes from the suite's authority (Node reads this at start).
        NODE_EXTRA_CA_CERTS: suiteCa,
        PASARELA_ROOM_URL: `wss://${ROOM_HOST}:${this.room.port}`,
        TOKEN_KEYS: JSON.stringify(this.keys.keys),
        TOKEN_SIGNING_KEY: this.keys.signingKeyId,
        PASARELA_TUNNEL_SETTINGS: JSON.stringify(TUNNEL_OVERRIDES),
        PASARELA_DEFAULT_POLICY: 'prefer-tunnel',
        PASARELA_LOG_LEVEL: 'debug',
      },
      join(ARTIFACTS, 'worker.log'),
    );
    console.log(`[e2e] the worker answered /readyz in ${await this.worker.ready()} ms`);
    this.api = new WorkerApi(this.worker.url, this.adminKey);
    await this.events.start(this.api);
  }

  /**
   * Fails a case at once, with the worker's last words, when the worker
   * process is no longer running (a later case cannot stand on it).
   */
  async assertWorkerAlive(): Promise<void> {
    if (!this.worker || this.worker.running) return;
    const exit = await this.worker.exited;
    const log = await readFile(join(ARTIFACTS, 'worker.log'), 'utf8').catch(() => '');
    const crash = log.split('\n').filter((line) => !line.startsWith('{'));
    throw new Error(
      `the worker process exited (${exit.signal ?? exit.code}) in an earlier case; ` +
        `what it printed outside its log lines:\n${crash.slice(-40).join('\n')}`,
    );
  }

  get standinPort(): number {
    return Number(this.standin.hostMap['mmg.whatsapp.net']!.split(':').at(-1));
  }

  get control() {
    return this.standin.control;
  }

  /** A restaurant on a network of its own (created here), not yet known to the worker. */
  async restaurant(tenant: string, name: string, index: number): Promise<Restaurant> {
    const site = new Site(`r${index}`, index);
    this.#sites.push(site);
    await site.create();
    const restaurant: Restaurant = {
      tenant,
      name,
      site,
      pageHost: `${tenant}.restaurant.test`,
      key: '',
      backend: null,
    };
    this.restaurants.set(tenant, restaurant);
    return restaurant;
  }

  /** The restaurant's backend, holding the tenant key the operator minted for it. */
  async openBackend(restaurant: Restaurant): Promise<void> {
    const pair = this.ca.issue([restaurant.pageHost]);
    const config = readBackendEnv({
      PASARELA_BACKEND_TENANT: restaurant.tenant,
      PASARELA_BACKEND_RESTAURANT: restaurant.name,
      PASARELA_BACKEND_TENANT_KEY: restaurant.key,
      PASARELA_BACKEND_WORKER_URL: this.worker.url,
      PASARELA_BACKEND_ROOM: ROOM_HOST,
      PASARELA_BACKEND_PORT: '0',
      PASARELA_BACKEND_SITE_DIR: this.#site!.dir,
      PASARELA_BACKEND_PEER: JSON.stringify(PEER_TUNING),
    });
    restaurant.backend = await startBackend({
      ...config,
      tls: { cert: pair.certPem, key: pair.keyPem },
    });
  }

  /** A browser of the restaurant (one device: its own profile, storage and peer). */
  async browser(restaurant: Restaurant, label: string): Promise<RestaurantBrowser> {
    const at = (port: number) => `${restaurant.site.hostAddress}:${port}`;
    const browser = await RestaurantBrowser.open({
      label,
      site: restaurant.site,
      authorities: [
        { name: 'pasarela-e2e', pem: this.ca.certPem },
        { name: 'pasarela-standin', pem: this.standin.caPem },
      ],
      hostRules: [
        { host: restaurant.pageHost, to: at(restaurant.backend!.port) },
        { host: ROOM_HOST, to: at(this.room.port) },
        { host: 'web.whatsapp.com', to: at(this.standinPort) },
        { host: '*.whatsapp.net', to: at(this.standinPort) },
        { host: '*.whatsapp.com', to: at(this.standinPort) },
      ],
    });
    this.browsers.push(browser);
    return browser;
  }

  pageUrl(restaurant: Restaurant, page: string, language: 'es' | 'en' = 'en'): string {
    return `https://${restaurant.pageHost}/${page}?lang=${language}`;
  }

  /** Stops everything that started, each part even when an earlier one fails to stop. */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const step = async (part: () => Promise<unknown> | undefined) => {
      try {
        await part();
      } catch (error) {
        errors.push(error);
      }
    };
    for (const browser of this.browsers) await step(() => browser.close());
    await step(() => this.events.stop());
    await step(() => this.worker?.stop());
    for (const restaurant of this.restaurants.values()) {
      await step(() => restaurant.backend?.close());
    }
    await step(() => this.room.stop());
    await step(() => this.standin?.close());
    await step(() => this.#site?.remove());
    for (const site of this.#sites) await step(() => site.remove());
    if (this.#dir) await step(() => rm(this.#dir, { recursive: true, force: true }));
    if (errors.length > 0) throw new AggregateError(errors, 'the suite did not stop cleanly');
  }
}
