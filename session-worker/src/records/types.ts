import type { EgressPolicy } from '@pasarela/shared';

/**
 * What the API keeps across restarts, in the same database as the auth
 * state (SQLite or PostgreSQL): tenant API keys (hashed), send records with
 * their idempotency keys, events for SSE resumption, webhook subscriptions,
 * their delivery queue and dead letters, received messages (for media
 * downloads and Baileys' retries) and tenant settings. Times are epoch ms.
 */

export interface ApiKeyRecord {
  /** Public part of the key, `psk_<id>`: safe to show and log. */
  readonly id: string;
  readonly tenant: string;
  /** SHA-256 of the whole key, hex. */
  readonly hash: string;
  readonly label: string | null;
  readonly createdAt: number;
  readonly revokedAt: number | null;
}

/**
 * Where a send stands. `sending`: claimed, the message may be on its way.
 * `sent`: WhatsApp acked it. `pending`: written to WhatsApp, no ack within
 * the deadline yet. `outcome_unknown`: the connection closed before the ack;
 * never sent again under this key. `failed`: refused; `retryable` says
 * whether nothing reached WhatsApp, so the same key may try again.
 */
export type SendState = 'sending' | 'sent' | 'pending' | 'outcome_unknown' | 'failed';

export interface SendRecord {
  readonly tenant: string;
  readonly key: string;
  /** SHA-256 of the request as validated: the same key with another request is refused. */
  readonly requestHash: string;
  readonly state: SendState;
  readonly retryable: boolean;
  readonly messageId: string | null;
  /** The chat JID the message is addressed to. */
  readonly to: string;
  readonly kind: string;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** The message as sent (Baileys' `proto.IMessage`, BufferJSON text), for retries. */
  readonly message: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly ackAt: number | null;
  /** The replica that claimed it. */
  readonly owner: string;
}

export type SendPatch = Partial<
  Pick<
    SendRecord,
    'state' | 'retryable' | 'messageId' | 'errorCode' | 'errorMessage' | 'message' | 'ackAt'
  >
>;

export interface EventInput {
  readonly type: string;
  /** null for process-wide events. */
  readonly tenant: string | null;
  readonly at: number;
  /** JSON-serialisable payload. */
  readonly data: unknown;
}

export interface EventRecord extends EventInput {
  /** Rises with every event written, across replicas. */
  readonly id: number;
}

export interface EventQuery {
  readonly after: number;
  /** Only this tenant's events (and none of the process-wide ones). */
  readonly tenant?: string;
  readonly types?: readonly string[];
  readonly limit: number;
}

export interface WebhookRecord {
  readonly id: string;
  /** null: every tenant's events (created with the admin key). */
  readonly tenant: string | null;
  readonly url: string;
  /** Event types delivered; null for all. */
  readonly events: readonly string[] | null;
  /** HMAC key of the signatures; shown once, at creation. */
  readonly secret: string;
  readonly createdAt: number;
}

export interface DueDelivery {
  readonly id: number;
  readonly webhookId: string;
  readonly attempt: number;
  readonly event: EventRecord;
}

export interface DeadLetterRecord {
  readonly id: number;
  readonly webhookId: string;
  readonly event: EventRecord;
  readonly attempts: number;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: number;
}

export interface InboundRecord {
  readonly tenant: string;
  readonly messageId: string;
  readonly chat: string;
  readonly at: number;
  /** The received `WAMessage`, BufferJSON text. */
  readonly raw: string;
}

export interface TenantSettingsRecord {
  readonly tenant: string;
  readonly policy: EgressPolicy;
  readonly updatedAt: number;
}

export interface ClaimOptions {
  readonly now: number;
  readonly limit: number;
  /** Deliveries in flight at once per endpoint, across replicas. */
  readonly perWebhook: number;
  /** How long a claim holds before another replica may take the delivery. */
  readonly lockMs: number;
}

export type ClaimResult =
  | { readonly claimed: true; readonly record: SendRecord }
  | { readonly claimed: false; readonly existing: SendRecord };

export interface RecordStore {
  readonly kind: 'sqlite' | 'postgres';
  ping(): Promise<void>;

  insertApiKey(record: ApiKeyRecord): Promise<void>;
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(tenant: string): Promise<ApiKeyRecord[]>;
  revokeApiKey(tenant: string, id: string, at: number): Promise<boolean>;

  /**
   * Claims `record.key` for a new send; when the key exists, returns it. A
   * retryable failure under the same key is claimed again (state `sending`).
   */
  claimSend(record: SendRecord): Promise<ClaimResult>;
  /** Updates a send; with `from`, only while it is in one of those states. */
  updateSend(
    tenant: string,
    key: string,
    patch: SendPatch,
    at: number,
    from?: readonly SendState[],
  ): Promise<SendRecord | undefined>;
  getSend(tenant: string, key: string): Promise<SendRecord | undefined>;
  findSendByMessageId(tenant: string, messageId: string): Promise<SendRecord | undefined>;

  /** Writes an event and queues one delivery per webhook id, in one transaction. */
  appendEvent(event: EventInput, webhookIds: readonly string[]): Promise<EventRecord>;
  /** Writes several events (with their deliveries) in one transaction, ids in the given order. */
  appendEvents(
    batch: readonly { readonly event: EventInput; readonly webhookIds: readonly string[] }[],
  ): Promise<EventRecord[]>;
  readEvents(query: EventQuery): Promise<EventRecord[]>;
  /** Id of the oldest event kept, or null when none is. */
  oldestEventId(): Promise<number | null>;
  latestEventId(): Promise<number>;

  insertWebhook(record: WebhookRecord): Promise<void>;
  listWebhooks(): Promise<WebhookRecord[]>;
  deleteWebhook(id: string): Promise<boolean>;

  claimDeliveries(options: ClaimOptions): Promise<DueDelivery[]>;
  completeDelivery(id: number): Promise<void>;
  retryDelivery(
    id: number,
    attempt: number,
    nextAt: number,
    status: number | null,
    error: string,
  ): Promise<void>;
  /** Moves a delivery to the dead letters, in one transaction. */
  deadLetter(
    delivery: DueDelivery,
    status: number | null,
    error: string,
    at: number,
  ): Promise<DeadLetterRecord>;
  pendingDeliveries(): Promise<number>;
  listDeadLetters(webhookId: string, limit: number): Promise<DeadLetterRecord[]>;
  /** Queues a dead letter's event again (attempt 0) and removes the dead letter. */
  redeliverDeadLetter(webhookId: string, id: number, at: number): Promise<boolean>;

  /** Stores a received message; false when it was stored already (a repeat). */
  insertInbound(record: InboundRecord): Promise<boolean>;
  getInbound(tenant: string, messageId: string): Promise<InboundRecord | undefined>;

  listTenantSettings(): Promise<TenantSettingsRecord[]>;
  putTenantSettings(record: TenantSettingsRecord): Promise<void>;
  /** Removes what belongs to a deleted tenant's session: settings and received messages. */
  forgetTenant(tenant: string): Promise<void>;

  /** Removes expired sends, events and received messages; returns how many rows went. */
  prune(before: { sends: number; events: number; inbound: number }): Promise<number>;
}
