import { randomBytes } from 'node:crypto';
import type { EventRecord, RecordStore, WebhookRecord } from '../../records/index.js';
import type { UrlGuard } from '../../messages/url-guard.js';

export interface NewWebhook {
  /** null: every tenant (admin only). */
  readonly tenant: string | null;
  readonly url: string;
  readonly events: readonly string[] | null;
}

/**
 * Webhook subscriptions, cached in memory so matching an event costs no
 * query; other replicas' changes arrive with `refresh`. A URL must pass the
 * fetch guard when it is registered, and again at every delivery.
 */
export class WebhookRegistry {
  #hooks: WebhookRecord[] = [];

  constructor(
    private readonly records: RecordStore,
    private readonly guard: UrlGuard,
  ) {}

  async refresh(): Promise<void> {
    this.#hooks = await this.records.listWebhooks();
  }

  list(tenant?: string): WebhookRecord[] {
    return this.#hooks.filter((hook) => tenant === undefined || hook.tenant === tenant);
  }

  get(id: string): WebhookRecord | undefined {
    return this.#hooks.find((hook) => hook.id === id);
  }

  /** Ids of the subscriptions an event goes to. */
  matching(event: Pick<EventRecord, 'type' | 'tenant'>): string[] {
    return this.#hooks
      .filter(
        (hook) =>
          (hook.tenant === null || hook.tenant === event.tenant) &&
          (hook.events === null || hook.events.includes(event.type)),
      )
      .map((hook) => hook.id);
  }

  async create(input: NewWebhook, now = Date.now()): Promise<WebhookRecord> {
    await this.guard.check(this.guard.parse(input.url));
    const record: WebhookRecord = {
      id: `wh_${randomBytes(9).toString('base64url')}`,
      tenant: input.tenant,
      url: input.url,
      events: input.events === null ? null : [...new Set(input.events)].sort(),
      secret: `whsec_${randomBytes(24).toString('base64url')}`,
      createdAt: now,
    };
    await this.records.insertWebhook(record);
    await this.refresh();
    return record;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.records.deleteWebhook(id);
    await this.refresh();
    return deleted;
  }
}
