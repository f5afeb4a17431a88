import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { EventRecord, RecordStore } from '../records/index.js';
import type { EventCatalogue } from './catalogue.js';
import type { WebhookRegistry } from './webhooks/registry.js';

/** An event as SSE streams and webhooks carry it. */
export interface WireEvent {
  readonly id: number;
  readonly type: string;
  readonly tenantId: string | null;
  readonly at: number;
  readonly data: unknown;
}

export function toWire(record: EventRecord): WireEvent {
  return {
    id: record.id,
    type: record.type,
    tenantId: record.tenant,
    at: record.at,
    data: record.data,
  };
}

export interface EventHubEvents {
  /** An event was written by this process. */
  published: [record: EventRecord];
}

export interface EventHubOptions {
  readonly records: RecordStore;
  readonly catalogue: EventCatalogue;
  readonly webhooks: WebhookRegistry;
  readonly logger: Logger;
  readonly onPublished?: (record: EventRecord) => void;
}

/**
 * Where every event goes first: written to the event log (with one queued
 * delivery per matching webhook, in the same transaction), then announced
 * to this process's SSE streams and the webhook dispatcher. Writes run one
 * at a time, so a tenant's events keep the order they were published in.
 */
export class EventHub extends EventEmitter<EventHubEvents> {
  #queue: Pending[] = [];
  #writing: Promise<void> | null = null;
  #closed = false;

  constructor(private readonly options: EventHubOptions) {
    super();
    this.setMaxListeners(0);
  }

  get catalogue(): EventCatalogue {
    return this.options.catalogue;
  }

  /**
   * Publishes an event. Never throws at the caller (session listeners must
   * not): a write that fails is logged and resolves undefined.
   */
  publish(type: string, tenant: string | null, data: unknown): Promise<EventRecord | undefined> {
    if (!this.options.catalogue.has(type)) {
      this.options.logger.error({ type }, 'event type is not registered; dropped');
      return Promise.resolve(undefined);
    }
    if (this.#closed) return Promise.resolve(undefined);
    const event = { type, tenant, at: Date.now(), data };
    return new Promise((resolve) => {
      this.#queue.push({ event, resolve });
      this.#writing ??= this.#drain();
    });
  }

  /** Waits for every publish asked for so far, then refuses new ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writing;
  }

  /**
   * One writer: whatever queued up while the last write ran goes in the next
   * transaction together (a group commit), in the order it was published.
   * Under load that is one sync to disk for many events instead of one each.
   */
  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH);
      try {
        const records = await this.options.records.appendEvents(
          batch.map(({ event }) => ({ event, webhookIds: this.options.webhooks.matching(event) })),
        );
        records.forEach((record, i) => {
          this.options.onPublished?.(record);
          this.emit('published', record);
          batch[i]!.resolve(record);
        });
      } catch (error) {
        this.options.logger.error(
          { events: batch.length, err: { message: (error as Error).message } },
          'events could not be written',
        );
        for (const pending of batch) pending.resolve(undefined);
      }
    }
    this.#writing = null;
  }
}

interface Pending {
  readonly event: { type: string; tenant: string | null; at: number; data: unknown };
  readonly resolve: (record: EventRecord | undefined) => void;
}

/** Events written in one transaction at most. */
const MAX_BATCH = 200;
