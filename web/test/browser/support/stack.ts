import { randomBytes } from 'node:crypto';
import { parseBrokerConfig } from '@pasarela/broker';
import type { BrokerConfig } from '@pasarela/broker';
import type { TokenKeySet } from '@pasarela/shared';
import { startStandin } from '@pasarela/standin';
import type { Standin } from '@pasarela/standin';
import { createSuiteCa } from './ca.js';
import type { SuiteCa } from './ca.js';
import { PlainChromium } from './cdp.js';
import { Http1Host } from './http1-host.js';
import { bundleHarness, PageServer } from './page-server.js';
import { createBrowserProfile } from './profile.js';
import type { BrowserProfile, HostRule } from './profile.js';
import { RoomGate } from './room-gate.js';
import { RoomServer } from './room-server.js';
import { RoomWorker } from './room-worker.js';
import { Trap } from './trap.js';

/** The restaurant's page and the room, under names of the reserved `.test` domain. */
export const PAGE_HOST = 'orders.restaurant.test';
export const PAGE_URL = `https://${PAGE_HOST}/`;
export const PAGE_ORIGIN = `https://${PAGE_HOST}`;
export const ROOM_HOST = 'rooms.pasarela.test';
/** The stand-in's second upload host, served here by the HTTP/1.1-only host. */
export const HTTP1_UPLOAD_HOST = 'media.fstandin-1.fna.whatsapp.net';
/** A WhatsApp name whose lookup fails in Chromium: a network failure, not CORS. */
export const UNRESOLVABLE_HOST = 'mmg-unreachable.whatsapp.net';
/** A name outside WhatsApp's list, resolved to the trap in case the peer ever asked. */
export const FOREIGN_HOST = 'example.com';

export interface StackOptions {
  /** Chromium switches beyond the profile's own (BASE_SWITCHES and the resolver rules). */
  readonly switches?: readonly string[];
  /** Overrides of the broker's defaults for this file's room. */
  readonly brokerConfig?: Record<string, unknown>;
  /** The stand-in, the HTTP/1.1 upload host and the trap (default true). */
  readonly upstreams?: boolean;
  /** Also start the stand-in's plain development listener (for a Node peer beside Chromium). */
  readonly standinPlain?: boolean;
  /**
   * Chromium reaches the room through the gate (default), which can make it
   * unreachable; without it, straight to the room, with no hop through this
   * process's event loop (for figures).
   */
  readonly gate?: boolean;
  /**
   * Chromium runs in a network of its own (a namespace with a source
   * address of its own, as a restaurant's browser has): it is started
   * through `wrapper` and reaches every server of the stack at `address`.
   */
  readonly browserNetwork?: { readonly address: string; readonly wrapper: readonly string[] };
  /** The HTTP/1.1-only upload host in front of the stand-in (default true, with the upstreams). */
  readonly http1?: boolean;
  /** More names for Chromium, placed before WhatsApp's (each `to` an address it can reach). */
  readonly hostRules?: readonly HostRule[];
}

/**
 * Everything one test file needs, on loopback ports of its own: the
 * stand-in (WhatsApp's names, its own authority), the room under `wrangler
 * dev` over https behind a gate, the restaurant's page over https, an
 * HTTP/1.1-only upload host, a trap, and Debian's Chromium trusting the two
 * authorities through a temporary NSS database, started by the suite itself
 * and driven over the DevTools protocol (no Playwright: its switches keep
 * background tabs visible and unthrottled), so every switch is one of ours.
 */
export class Stack {
  readonly ca: SuiteCa;
  readonly keys: TokenKeySet;
  readonly room: RoomServer;
  readonly gate: RoomGate;
  readonly page: PageServer;
  readonly options: StackOptions;
  /** The room's configuration: the broker's defaults under this file's overrides. */
  readonly broker: BrokerConfig;
  standin: Standin | null = null;
  http1: Http1Host | null = null;
  trap: Trap | null = null;
  profile: BrowserProfile | null = null;
  browser: PlainChromium | null = null;
  #tenants = 0;

  private constructor(options: StackOptions, ca: SuiteCa, script: string) {
    this.options = options;
    this.ca = ca;
    this.broker = parseBrokerConfig(JSON.stringify(options.brokerConfig ?? {}));
    this.keys = { signingKeyId: 'suite', keys: { suite: randomBytes(32).toString('base64url') } };
    this.room = new RoomServer({
      hostName: ROOM_HOST,
      tls: ca.issue([ROOM_HOST]),
      caPem: ca.certPem,
      keys: this.keys,
      brokerConfig: options.brokerConfig ?? {},
    });
    this.gate = new RoomGate(0);
    this.page = new PageServer({ tls: ca.issue([PAGE_HOST]), keys: this.keys, script });
  }

  static async start(options: StackOptions = {}): Promise<Stack> {
    const stack = new Stack(options, createSuiteCa(), await bundleHarness());
    try {
      await stack.#start();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  async #start(): Promise<void> {
    const roomReady = this.room.start();
    await this.page.start();
    if (this.options.upstreams !== false) {
      this.standin = await startStandin({
        tls: { host: '127.0.0.1' },
        plain: this.options.standinPlain ? { host: '127.0.0.1' } : false,
      });
      if (this.options.http1 !== false) {
        this.http1 = new Http1Host({
          tls: this.ca.issue([HTTP1_UPLOAD_HOST]),
          upstream: {
            port: this.standinPort,
            hostName: HTTP1_UPLOAD_HOST,
            caPem: this.standin.caPem,
          },
        });
        await this.http1.start();
      }
      this.trap = new Trap();
      await this.trap.start();
    }
    const roomMs = await roomReady;
    console.log(`[stack] wrangler dev answered /health over https ${roomMs} ms after spawn`);
    this.gate.retarget(this.room.port);
    await this.gate.open();
    this.profile = await createBrowserProfile({
      authorities: [
        { name: 'pasarela-suite', pem: this.ca.certPem },
        ...(this.standin ? [{ name: 'pasarela-standin', pem: this.standin.caPem }] : []),
      ],
      hostRules: this.#hostRules(),
    });
    const network = this.options.browserNetwork;
    this.browser = await PlainChromium.launch(
      this.profile,
      this.options.switches ?? [],
      network ? { wrapper: network.wrapper } : {},
    );
  }

  get standinPort(): number {
    const address = this.standin?.hostMap['mmg.whatsapp.net'];
    if (!address) throw new Error('this stack runs no stand-in');
    return Number(address.split(':').at(-1));
  }

  #hostRules(): HostRule[] {
    const address = this.options.browserNetwork?.address ?? '127.0.0.1';
    const local = (port: number) => `${address}:${port}`;
    const rules: HostRule[] = [
      { host: PAGE_HOST, to: local(this.page.port) },
      { host: ROOM_HOST, to: local(this.options.gate === false ? this.room.port : this.gate.port) },
    ];
    rules.push(...(this.options.hostRules ?? []));
    if (this.standin && this.trap) {
      const standin = local(this.standinPort);
      if (this.http1) rules.push({ host: HTTP1_UPLOAD_HOST, to: local(this.http1.port) });
      rules.push(
        { host: UNRESOLVABLE_HOST, to: '~NOTFOUND' },
        { host: FOREIGN_HOST, to: local(this.trap.port) },
        { host: 'web.whatsapp.com', to: standin },
        { host: '*.whatsapp.net', to: standin },
        { host: '*.whatsapp.com', to: standin },
      );
    }
    // Nothing else resolves: no lookup ever leaves the machine.
    rules.push({ host: '*', to: '~NOTFOUND' });
    return rules;
  }

  /** A tenant id of its own for each case, so rooms never share state. */
  tenant(label: string): string {
    this.#tenants += 1;
    return `${label}-${this.#tenants}`;
  }

  /**
   * The worker's side of a tenant's room, connected straight to the room
   * (not through the gate).
   */
  worker(tenant: string, epoch = 1): Promise<RoomWorker> {
    return RoomWorker.connect({
      port: this.room.port,
      hostName: ROOM_HOST,
      caPem: this.ca.certPem,
      tenant,
      keys: this.keys,
      epoch,
    });
  }

  async stop(): Promise<void> {
    await this.browser?.close().catch(() => undefined);
    await this.profile?.dispose();
    await this.gate.close();
    await this.room.stop();
    await this.page.stop().catch(() => undefined);
    await this.http1?.stop().catch(() => undefined);
    await this.trap?.stop().catch(() => undefined);
    await this.standin?.close();
  }
}
