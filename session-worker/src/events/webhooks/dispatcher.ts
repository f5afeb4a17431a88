import type { Logger } from 'pino';
import type { ApiSettings } from '../../config/index.js';
import type { GuardedFetcher } from '../../messages/guarded-fetch.js';
import { FetchError } from '../../messages/fetch-errors.js';
import type { DueDelivery, RecordStore } from '../../records/index.js';
import type { ServiceMetrics } from '../../ops/metrics.js';
import { toWire } from '../hub.js';
import { retryDelayMs } from './backoff.js';
import type { WebhookRegistry } from './registry.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';

export type WebhookSettings = Pick<
  ApiSettings,
  | 'webhookTimeoutMs'
  | 'webhookMaxAttempts'
  | 'webhookBackoffBaseMs'
  | 'webhookBackoffMaxMs'
  | 'webhookConcurrency'
  | 'webhookEndpointConcurrency'
  | 'webhookPollMs'
>;

export interface WebhookDispatcherOptions {
  readonly records: RecordStore;
  readonly registry: WebhookRegistry;
  readonly fetcher: GuardedFetcher;
  readonly settings: WebhookSettings;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
  readonly random?: () => number;
}

/**
 * Delivers queued events to webhooks. Each delivery runs on its own: an
 * endpoint that times out holds at most `webhookEndpointConcurrency` slots
 * (counted across replicas in the queue itself), so every other endpoint
 * keeps its pace. A failed attempt is retried with backoff; after
 * `webhookMaxAttempts` the delivery becomes a dead letter.
 */
export class WebhookDispatcher {
  readonly #o: WebhookDispatcherOptions;
  readonly #inFlight = new Set<Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #again = false;
  #stopped = true;

  constructor(options: WebhookDispatcherOptions) {
    this.#o = options;
  }

  start(): void {
    this.#stopped = false;
    this.wake();
  }

  /** Looks at the queue now (an event was just published). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#pump();
  }

  /** Stops claiming; waits for attempts in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await Promise.allSettled([...this.#inFlight]);
  }

  async #pump(): Promise<void> {
    this.#running = true;
    clearTimeout(this.#timer);
    try {
      do {
        this.#again = false;
        const free = this.#o.settings.webhookConcurrency - this.#inFlight.size;
        if (free <= 0) break;
        const due = await this.#o.records.claimDeliveries({
          now: Date.now(),
          limit: free,
          perWebhook: this.#o.settings.webhookEndpointConcurrency,
          lockMs: this.#o.settings.webhookTimeoutMs * 2 + 5_000,
        });
        for (const delivery of due) this.#launch(delivery);
        if (due.length === free) this.#again = true;
      } while (this.#again && !this.#stopped);
    } catch (error) {
      this.#o.logger.warn(
        { err: { message: (error as Error).message } },
        'webhook queue could not be read',
      );
    } finally {
      this.#running = false;
      if (!this.#stopped) {
        this.#timer = setTimeout(() => this.wake(), this.#o.settings.webhookPollMs);
        this.#timer.unref();
      }
    }
  }

  #launch(delivery: DueDelivery): void {
    const attempt = this.#attempt(delivery).finally(() => {
      this.#inFlight.delete(attempt);
      this.wake();
    });
    this.#inFlight.add(attempt);
  }

  async #attempt(delivery: DueDelivery): Promise<void> {
    let hook = this.#o.registry.get(delivery.webhookId);
    if (!hook) {
      // Perhaps made on another replica since this one last read the list.
      await this.#o.registry.refresh();
      hook = this.#o.registry.get(delivery.webhookId);
    }
    const log = this.#o.logger.child({
      webhook: delivery.webhookId,
      event: delivery.event.id,
      attempt: delivery.attempt + 1,
    });
    if (!hook) {
      // Deleted since it was queued (its rows go with it); nothing to send.
      await this.#o.records.completeDelivery(delivery.id);
      return;
    }
    const body = JSON.stringify(toWire(delivery.event));
    const started = performance.now();
    let status: number | null = null;
    let failure: string | null = null;
    try {
      const answer = await this.#o.fetcher.post(hook.url, {
        body,
        timeoutMs: this.#o.settings.webhookTimeoutMs,
        headers: {
          'content-type': 'application/json',
          'x-pasarela-event-id': String(delivery.event.id),
          'x-pasarela-event-type': delivery.event.type,
          'x-pasarela-delivery': `${delivery.id}.${delivery.attempt + 1}`,
          [SIGNATURE_HEADER]: signWebhook(hook.secret, body, Math.floor(Date.now() / 1000)),
        },
      });
      status = answer.status;
      if (status < 200 || status > 299) failure = `answered ${status}`;
    } catch (error) {
      failure = error instanceof FetchError ? error.message : 'delivery failed';
    }
    const seconds = (performance.now() - started) / 1_000;
    if (failure === null) {
      await this.#o.records.completeDelivery(delivery.id);
      this.#o.metrics?.webhookDeliveries.inc({ outcome: 'delivered' });
      this.#o.metrics?.webhookSeconds.observe({ outcome: 'delivered' }, seconds);
      log.debug({ status, ms: Math.round(seconds * 1_000) }, 'webhook delivered');
      return;
    }
    const failures = delivery.attempt + 1;
    if (failures >= this.#o.settings.webhookMaxAttempts) {
      await this.#o.records.deadLetter(delivery, status, failure, Date.now());
      this.#o.metrics?.webhookDeliveries.inc({ outcome: 'dead_lettered' });
      this.#o.metrics?.webhookSeconds.observe({ outcome: 'failed' }, seconds);
      log.warn({ status, error: failure }, 'webhook delivery became a dead letter');
      return;
    }
    const delay = retryDelayMs(
      failures,
      this.#o.settings.webhookBackoffBaseMs,
      this.#o.settings.webhookBackoffMaxMs,
      this.#o.random,
    );
    await this.#o.records.retryDelivery(delivery.id, failures, Date.now() + delay, status, failure);
    this.#o.metrics?.webhookDeliveries.inc({ outcome: 'retried' });
    this.#o.metrics?.webhookSeconds.observe({ outcome: 'failed' }, seconds);
    log.info({ status, error: failure, retryInMs: delay }, 'webhook delivery failed; will retry');
  }
}
