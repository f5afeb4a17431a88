import { proto, type WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { EventHub } from '../events/hub.js';
import type { ServiceMetrics } from '../ops/metrics.js';
import type { RecordStore } from '../records/index.js';
import { AckWatcher } from './acks.js';
import { describeReceived, encodeMessage } from './inbound.js';

const RECEIPT_STATUS: Record<number, string> = {
  [proto.WebMessageInfo.Status.DELIVERY_ACK]: 'delivered',
  [proto.WebMessageInfo.Status.READ]: 'read',
  [proto.WebMessageInfo.Status.PLAYED]: 'played',
};

export interface SocketBridgeOptions {
  readonly records: RecordStore;
  readonly hub: EventHub;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
}

/**
 * Listens to every socket the session manager builds: acks of the API's
 * sends, received messages (stored once, published once: the offline queue
 * may hand a message over again after a reconnect), receipts of sent
 * messages, and the time the tenant last heard from WhatsApp.
 */
export class SocketBridge {
  readonly #watchers = new WeakMap<WASocket, AckWatcher>();
  readonly #lastSeen = new Map<string, number>();

  constructor(private readonly options: SocketBridgeOptions) {}

  watcherOf(sock: WASocket): AckWatcher | undefined {
    return this.#watchers.get(sock);
  }

  /** When a frame last arrived from WhatsApp for the tenant (epoch ms), or null. */
  lastSeen(tenant: string): number | null {
    return this.#lastSeen.get(tenant) ?? null;
  }

  forget(tenant: string): void {
    this.#lastSeen.delete(tenant);
  }

  /** The session manager's `onSocket` hook. */
  attach(tenant: string, sock: WASocket): void {
    this.#watchers.set(sock, new AckWatcher(sock));
    sock.ws.on('frame', () => {
      this.#lastSeen.set(tenant, Date.now());
    });
    sock.ev.on('messages.upsert', ({ messages }) => {
      for (const message of messages) void this.#received(tenant, message);
    });
    sock.ev.on('messages.update', (updates) => {
      for (const { key, update } of updates) {
        const status = update.status == null ? undefined : RECEIPT_STATUS[update.status];
        if (!status || !key.fromMe || !key.id || !key.remoteJid) continue;
        this.options.metrics?.receipts.inc({ status });
        void this.options.hub.publish('message.receipt', tenant, {
          id: key.id,
          chat: key.remoteJid,
          status,
        });
      }
    });
  }

  async #received(tenant: string, message: Parameters<typeof describeReceived>[1]) {
    const described = describeReceived(tenant, message);
    if (!described) return;
    try {
      const fresh = await this.options.records.insertInbound({
        tenant,
        messageId: described.id,
        chat: described.chat,
        at: Date.now(),
        raw: encodeMessage(message),
      });
      if (!fresh) return;
      this.options.metrics?.received.inc({ kind: described.type });
      await this.options.hub.publish('message.received', tenant, described);
    } catch (error) {
      this.options.logger.error(
        { tenant, messageId: described.id, err: { message: (error as Error).message } },
        'received message could not be stored',
      );
    }
  }
}
