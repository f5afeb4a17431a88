import type { Logger } from 'pino';
import type { ApiSettings } from '../config/index.js';
import type { WebhookRegistry } from '../events/webhooks/registry.js';
import type { RecordStore } from '../records/index.js';
import type { SessionManager } from '../session/index.js';
import type { TenantPolicies } from './policies.js';

export interface PrunerOptions {
  readonly records: RecordStore;
  readonly webhooks: WebhookRegistry;
  readonly policies: TenantPolicies;
  readonly manager: SessionManager;
  readonly settings: Pick<
    ApiSettings,
    | 'idempotencyTtlMs'
    | 'eventRetentionMs'
    | 'inboundRetentionMs'
    | 'pruneIntervalMs'
    | 'settingsPollMs'
  >;
  /** Other replicas write too (PostgreSQL): their settings and webhooks are read back. */
  readonly shared: boolean;
  readonly logger: Logger;
}

/**
 * Housekeeping on timers: expired send records, events past their
 * retention and old received messages are removed; with replicas, tenant
 * policies and webhook subscriptions changed elsewhere are read back.
 */
export class Pruner {
  #timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: PrunerOptions) {}

  start(): void {
    const prune = setInterval(() => void this.prune(), this.o.settings.pruneIntervalMs);
    prune.unref();
    this.#timers.push(prune);
    if (this.o.shared) {
      const poll = setInterval(() => void this.poll(), this.o.settings.settingsPollMs);
      poll.unref();
      this.#timers.push(poll);
    }
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  async prune(now = Date.now()): Promise<number> {
    try {
      const removed = await this.o.records.prune({
        sends: now - this.o.settings.idempotencyTtlMs,
        events: now - this.o.settings.eventRetentionMs,
        inbound: now - this.o.settings.inboundRetentionMs,
      });
      if (removed > 0) this.o.logger.debug({ removed }, 'expired records removed');
      return removed;
    } catch (error) {
      this.o.logger.warn({ err: { message: (error as Error).message } }, 'pruning failed');
      return 0;
    }
  }

  async poll(): Promise<void> {
    try {
      await this.o.policies.refresh(this.o.manager);
      await this.o.webhooks.refresh();
    } catch (error) {
      this.o.logger.warn(
        { err: { message: (error as Error).message } },
        'settings of other replicas could not be read',
      );
    }
  }
}
