import type { BinaryNode, WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import type { EventHub } from '../events/hub.js';
import type { ServiceMetrics } from '../ops/metrics.js';
import type { RecordStore } from '../records/index.js';
import { AckWatcher } from './acks.js';
import { describeReceived, encodeMessage } from './inbound.js';

/** Receipt types of a contact's device for a message sent to it; others are our own devices'. */
const RECEIPT_STATUS: Record<string, string> = {
  '': 'delivered',
  read: 'read',
  played: 'played',
};

/** Ids batched in a receipt's `<list><item id=…/></list>`. */
function listedIds(node: BinaryNode): string[] {
  const list = Array.isArray(node.content) ? node.content.find((c) => c.tag === 'list') : undefined;
  const items = list && Array.isArray(list.content) ? list.content : [];
  return items.map((item) => item.attrs['id']).filter((id): id is string => !!id);
}

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
    // Receipts are read off the stanza itself: Baileys' event buffer folds
    // a status update into a buffered upsert of the same message, so
    // `messages.update` misses a receipt that comes right after the send.
    sock.ws.on('CB:receipt', (node: BinaryNode) => {
      const { attrs } = node;
      const status = RECEIPT_STATUS[attrs['type'] ?? ''];
      if (!status || attrs['recipient'] || !attrs['from']) return;
      const ids = [attrs['id'], ...listedIds(node)].filter((id): id is string => !!id);
      for (const id of ids) {
        this.options.metrics?.receipts.inc({ status });
        void this.options.hub.publish('message.receipt', tenant, {
          id,
          chat: attrs['from'],
          ...(attrs['participant'] ? { participant: attrs['participant'] } : {}),
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
