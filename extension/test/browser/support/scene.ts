import { randomBytes } from 'node:crypto';
import type { TenantStatus } from '@pasarela/shared';
import type { ContactView, RequestRecord } from '@pasarela/standin';
import type { CdpTab } from '../../../../web/test/browser/support/cdp.js';
import {
  snapshot,
  startPeer,
  untilPeerStatus,
  waitUntil,
} from '../../../../web/test/browser/support/page.js';
import { openPage, sha256Hex } from '../../../../web/test/browser/support/session.js';
import { PAGE_ORIGIN, ROOM_HOST, Stack } from '../../../../web/test/browser/support/stack.js';
import { ELSEWHERE_HOST, ElsewhereHost } from './elsewhere.js';
import { RestaurantNetwork } from './restaurant-network.js';
import { buildShipped } from './shipped-extension.js';
import type { ShippedExtension } from './shipped-extension.js';
import { accountMedia, BOUNDS } from './suite.js';
import { startWorker } from './worker.js';
import type { WorkerStack } from './worker.js';

/**
 * Everything `extension.test.ts` runs against: the restaurant's Chromium in
 * a network of its own, the room, the stand-in and the other site, the
 * worker side with real Baileys, the extension built as it ships, one
 * tenant and one of its customers.
 */
export class Scene {
  private constructor(
    readonly network: RestaurantNetwork,
    readonly elsewhere: ElsewhereHost,
    readonly shipped: ShippedExtension,
    readonly stack: Stack,
    readonly worker: WorkerStack,
    readonly tenant: string,
    readonly contact: ContactView,
  ) {}

  static async start(): Promise<Scene> {
    const network = new RestaurantNetwork();
    const elsewhere = new ElsewhereHost();
    const undo: (() => Promise<unknown>)[] = [];
    try {
      await network.create().finally(() => undo.push(() => network.remove()));
      await elsewhere.start();
      undo.push(() => elsewhere.stop());
      const shipped = await buildShipped([PAGE_ORIGIN]);
      undo.push(() => shipped.remove());
      console.log(`[extension] npm run build took ${shipped.buildMs} ms`);
      const stack = await Stack.start({
        browserNetwork: { address: network.hostAddress, wrapper: network.wrapper },
        // Uploads go straight to the stand-in, which records their source and Origin.
        http1: false,
        hostRules: [{ host: ELSEWHERE_HOST, to: `${network.hostAddress}:${elsewhere.port}` }],
      });
      undo.push(() => stack.stop());
      elsewhere.useCertificate(stack.ca.issue([ELSEWHERE_HOST]));
      const worker = await startWorker(stack);
      undo.push(() => worker.close());
      const contact = await stack.standin!.control.createContact({ name: 'Lucía' });
      const tenant = stack.tenant('extension');
      return new Scene(network, elsewhere, shipped, stack, worker, tenant, contact);
    } catch (error) {
      // Whatever started is stopped, the namespace and its rule included.
      for (const step of undo.reverse()) await step().catch(() => undefined);
      throw error;
    }
  }

  records(since = 0) {
    return this.stack.standin!.control.records(since);
  }

  /** The TenantStatus the room last delivered to this page (what its indicator reads). */
  async tenantStatus(tab: CdpTab): Promise<TenantStatus | null> {
    return (await snapshot(tab)).view?.tenantStatus ?? null;
  }

  /** The restaurant opens its page: the peer joins and probes its legs. */
  async openRestaurantPage(): Promise<CdpTab> {
    const tab = await openPage(this.stack);
    const started = Date.now();
    await startPeer(tab, { tenant: this.tenant, roomHost: ROOM_HOST });
    await untilPeerStatus(tab, 'connected', BOUNDS.joinMs);
    await waitUntil(
      'the page to probe its legs',
      async () => (await snapshot(tab)).legs,
      (legs) => legs !== null && legs.websocket.status !== 'unprobed',
      BOUNDS.joinMs,
    );
    console.log(`[extension] the page joined and probed its legs in ${Date.now() - started} ms`);
    return tab;
  }

  /**
   * Sends a document through the worker's session, waits until the
   * customer opened it, and returns the account's upload requests it took.
   */
  async sendDocument(): Promise<{ uploads: RequestRecord[] }> {
    const { lastSeq } = await this.records();
    const document = randomBytes(48 * 1024);
    await this.worker.harness.manager.withSocket(this.tenant, (sock) =>
      sock.sendMessage(this.contact.jid, {
        document,
        mimetype: 'application/pdf',
        fileName: 'carta.pdf',
      }),
    );
    await waitUntil(
      'the customer to open the document',
      () => this.stack.standin!.control.received(this.contact.phone),
      (messages) => messages.some((m) => m.media?.sha256 === sha256Hex(document)),
      BOUNDS.messageMs,
    );
    const uploads = accountMedia(await this.records(lastSeq)).filter(
      (r) => r.method === 'POST' || r.method === 'OPTIONS',
    );
    return { uploads };
  }

  async stop(): Promise<void> {
    await this.worker.close();
    await this.stack.stop();
    await this.elsewhere.stop();
    await this.shipped.remove();
    await this.network.remove();
  }
}
