import type { Database, Statement } from 'better-sqlite3';
import {
  PATCH_COLUMNS,
  SEND_COLUMNS,
  apiKeyFromRow,
  deadLetterFromRow,
  eventFromRow,
  inboundFromRow,
  sendFromRow,
  sendValues,
  settingsFromRow,
  webhookFromRow,
  type Row,
} from './rows.js';
import type {
  ApiKeyRecord,
  ClaimOptions,
  ClaimResult,
  DeadLetterRecord,
  DueDelivery,
  EventInput,
  EventQuery,
  EventRecord,
  InboundRecord,
  RecordStore,
  SendPatch,
  SendRecord,
  SendState,
  TenantSettingsRecord,
  WebhookRecord,
} from './types.js';

/**
 * The records on the worker's SQLite file (schema version 2). One worker
 * holds the file, so every statement runs to completion before the next;
 * transactions group what must happen together.
 */
export class SqliteRecordStore implements RecordStore {
  readonly kind = 'sqlite';

  readonly #statements = new Map<string, Statement>();

  constructor(private readonly db: Database) {}

  /** Statements are prepared once: preparing costs more than running most of them. */
  private sql(text: string): Statement {
    let statement = this.#statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.#statements.set(text, statement);
    }
    return statement;
  }

  async ping(): Promise<void> {
    if (!this.db.open) throw new Error('the SQLite store is closed');
    this.sql('SELECT 1').get();
  }

  async insertApiKey(r: ApiKeyRecord): Promise<void> {
    this.sql(
      `INSERT INTO api_keys (key_id, tenant_id, hash, label, created_at, revoked_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(r.id, r.tenant, r.hash, r.label, r.createdAt, r.revokedAt);
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const row = this.sql('SELECT * FROM api_keys WHERE key_id = ?').get(id) as Row;
    return row ? apiKeyFromRow(row) : undefined;
  }

  async listApiKeys(tenant: string): Promise<ApiKeyRecord[]> {
    const rows = this.sql(
      'SELECT * FROM api_keys WHERE tenant_id = ? ORDER BY created_at, key_id',
    ).all(tenant) as Row[];
    return rows.map(apiKeyFromRow);
  }

  async revokeApiKey(tenant: string, id: string, at: number): Promise<boolean> {
    const result = this.sql(
      `UPDATE api_keys SET revoked_at = ?
         WHERE key_id = ? AND tenant_id = ? AND revoked_at IS NULL`,
    ).run(at, id, tenant);
    return result.changes > 0;
  }

  async claimSend(record: SendRecord): Promise<ClaimResult> {
    return this.db.transaction((): ClaimResult => {
      const existing = this.sendRow(record.tenant, record.key);
      if (!existing) {
        this.sql(
          `INSERT INTO sends (${SEND_COLUMNS.join(', ')})
             VALUES (${SEND_COLUMNS.map(() => '?').join(', ')})`,
        ).run(...sendValues(record, (b) => (b ? 1 : 0)));
        return { claimed: true, record };
      }
      if (existing.state === 'failed' && existing.retryable) {
        const again: SendRecord = { ...record, createdAt: existing.createdAt };
        this.sql(
          `UPDATE sends SET request_hash = ?, state = ?, retryable = ?, message_id = NULL,
             error_code = NULL, error_message = NULL, message = NULL, updated_at = ?, owner = ?
             WHERE tenant_id = ? AND idem_key = ?`,
        ).run(
          record.requestHash,
          record.state,
          record.retryable ? 1 : 0,
          record.updatedAt,
          record.owner,
          record.tenant,
          record.key,
        );
        return { claimed: true, record: again };
      }
      return { claimed: false, existing };
    })();
  }

  async updateSend(
    tenant: string,
    key: string,
    patch: SendPatch,
    at: number,
    from?: readonly SendState[],
  ): Promise<SendRecord | undefined> {
    const sets: string[] = ['updated_at = ?'];
    const values: unknown[] = [at];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      sets.push(`${PATCH_COLUMNS[field]} = ?`);
      values.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    }
    let where = 'tenant_id = ? AND idem_key = ?';
    values.push(tenant, key);
    if (from && from.length > 0) {
      where += ` AND state IN (${from.map(() => '?').join(', ')})`;
      values.push(...from);
    }
    const row = this.sql(`UPDATE sends SET ${sets.join(', ')} WHERE ${where} RETURNING *`).get(
      ...values,
    ) as Row | undefined;
    return row ? sendFromRow(row) : undefined;
  }

  async getSend(tenant: string, key: string): Promise<SendRecord | undefined> {
    return this.sendRow(tenant, key);
  }

  async findSendByMessageId(tenant: string, messageId: string): Promise<SendRecord | undefined> {
    const row = this.sql('SELECT * FROM sends WHERE tenant_id = ? AND message_id = ? LIMIT 1').get(
      tenant,
      messageId,
    ) as Row | undefined;
    return row ? sendFromRow(row) : undefined;
  }

  async appendEvent(event: EventInput, webhookIds: readonly string[]): Promise<EventRecord> {
    return (await this.appendEvents([{ event, webhookIds }]))[0]!;
  }

  async appendEvents(
    batch: readonly { readonly event: EventInput; readonly webhookIds: readonly string[] }[],
  ): Promise<EventRecord[]> {
    const insert = this.sql(
      'INSERT INTO events (type, tenant_id, at, data) VALUES (?, ?, ?, ?) RETURNING id',
    );
    const queue = this.sql(
      'INSERT INTO webhook_deliveries (webhook_id, event_id, next_at) VALUES (?, ?, ?)',
    );
    return this.db.transaction((): EventRecord[] =>
      batch.map(({ event, webhookIds }) => {
        const row = insert.get(event.type, event.tenant, event.at, JSON.stringify(event.data)) as {
          id: number;
        };
        for (const id of webhookIds) queue.run(id, row.id, event.at);
        return { ...event, id: row.id };
      }),
    )();
  }

  async readEvents(query: EventQuery): Promise<EventRecord[]> {
    const clauses = ['id > ?'];
    const values: unknown[] = [query.after];
    if (query.tenant !== undefined) {
      clauses.push('tenant_id = ?');
      values.push(query.tenant);
    }
    if (query.types && query.types.length > 0) {
      clauses.push(`type IN (${query.types.map(() => '?').join(', ')})`);
      values.push(...query.types);
    }
    values.push(query.limit);
    const rows = this.sql(
      `SELECT * FROM events WHERE ${clauses.join(' AND ')} ORDER BY id LIMIT ?`,
    ).all(...values) as Row[];
    return rows.map(eventFromRow);
  }

  async oldestEventId(): Promise<number | null> {
    const row = this.sql('SELECT min(id) AS id FROM events').get() as { id: number | null };
    return row.id;
  }

  async latestEventId(): Promise<number> {
    // The sequence keeps rising after pruning; an empty table still has one.
    const row = this.sql("SELECT seq FROM sqlite_sequence WHERE name = 'events'").get() as
      { seq: number } | undefined;
    return row?.seq ?? 0;
  }

  async insertWebhook(r: WebhookRecord): Promise<void> {
    this.sql(
      `INSERT INTO webhooks (webhook_id, tenant_id, url, events, secret, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(
      r.id,
      r.tenant,
      r.url,
      r.events === null ? null : JSON.stringify(r.events),
      r.secret,
      r.createdAt,
    );
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const rows = this.sql('SELECT * FROM webhooks ORDER BY created_at').all() as Row[];
    return rows.map(webhookFromRow);
  }

  async deleteWebhook(id: string): Promise<boolean> {
    return this.sql('DELETE FROM webhooks WHERE webhook_id = ?').run(id).changes > 0;
  }

  async claimDeliveries(options: ClaimOptions): Promise<DueDelivery[]> {
    const { now, limit, perWebhook, lockMs } = options;
    return this.db.transaction((): DueDelivery[] => {
      // In-flight deliveries (still locked) rank first, so they use up their
      // endpoint's slots before any due one is taken.
      const rows = this.sql(
        `WITH ranked AS (
             SELECT d.id, d.locked_until, d.next_at,
               ROW_NUMBER() OVER (
                 PARTITION BY d.webhook_id
                 ORDER BY (d.locked_until > @now) DESC, d.next_at, d.id
               ) AS slot
             FROM webhook_deliveries d
             WHERE d.locked_until > @now OR d.next_at <= @now
           )
           SELECT id FROM ranked
           WHERE slot <= @perWebhook AND locked_until <= @now AND next_at <= @now
           ORDER BY next_at, id LIMIT @limit`,
      ).all({ now, perWebhook, limit }) as { id: number }[];
      const claim = this.sql(
        `UPDATE webhook_deliveries SET locked_until = ?
         WHERE id = ? AND locked_until <= ? RETURNING *`,
      );
      const event = this.sql('SELECT * FROM events WHERE id = ?');
      const due: DueDelivery[] = [];
      for (const { id } of rows) {
        const row = claim.get(now + lockMs, id, now) as Row | undefined;
        if (!row) continue;
        const eventRow = event.get(row['event_id']) as Row | undefined;
        if (!eventRow) {
          // The event outlived its retention before it could be delivered.
          this.sql('DELETE FROM webhook_deliveries WHERE id = ?').run(id);
          continue;
        }
        due.push({
          id: Number(row['id']),
          webhookId: String(row['webhook_id']),
          attempt: Number(row['attempt']),
          event: eventFromRow(eventRow),
        });
      }
      return due;
    })();
  }

  async completeDelivery(id: number): Promise<void> {
    this.sql('DELETE FROM webhook_deliveries WHERE id = ?').run(id);
  }

  async retryDelivery(
    id: number,
    attempt: number,
    nextAt: number,
    status: number | null,
    error: string,
  ): Promise<void> {
    this.sql(
      `UPDATE webhook_deliveries SET attempt = ?, next_at = ?, locked_until = 0,
         last_status = ?, last_error = ? WHERE id = ?`,
    ).run(attempt, nextAt, status, error, id);
  }

  async deadLetter(
    delivery: DueDelivery,
    status: number | null,
    error: string,
    at: number,
  ): Promise<DeadLetterRecord> {
    return this.db.transaction((): DeadLetterRecord => {
      this.sql('DELETE FROM webhook_deliveries WHERE id = ?').run(delivery.id);
      const row = this.sql(
        `INSERT INTO webhook_dead_letters
             (webhook_id, event_id, event, attempts, last_status, last_error, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *`,
      ).get(
        delivery.webhookId,
        delivery.event.id,
        JSON.stringify(delivery.event),
        delivery.attempt + 1,
        status,
        error,
        at,
      ) as Row;
      return deadLetterFromRow(row);
    })();
  }

  async pendingDeliveries(): Promise<number> {
    const row = this.sql('SELECT count(*) AS n FROM webhook_deliveries').get() as {
      n: number;
    };
    return row.n;
  }

  async listDeadLetters(webhookId: string, limit: number): Promise<DeadLetterRecord[]> {
    const rows = this.sql(
      'SELECT * FROM webhook_dead_letters WHERE webhook_id = ? ORDER BY id DESC LIMIT ?',
    ).all(webhookId, limit) as Row[];
    return rows.map(deadLetterFromRow);
  }

  async redeliverDeadLetter(webhookId: string, id: number, at: number): Promise<boolean> {
    return this.db.transaction((): boolean => {
      const row = this.sql(
        'DELETE FROM webhook_dead_letters WHERE id = ? AND webhook_id = ? RETURNING *',
      ).get(id, webhookId) as Row | undefined;
      if (!row) return false;
      const letter = deadLetterFromRow(row);
      // The event may have been pruned from the log; put the kept copy back under its id.
      this.sql(
        'INSERT OR IGNORE INTO events (id, type, tenant_id, at, data) VALUES (?, ?, ?, ?, ?)',
      ).run(
        letter.event.id,
        letter.event.type,
        letter.event.tenant,
        letter.event.at,
        JSON.stringify(letter.event.data),
      );
      this.sql(
        'INSERT INTO webhook_deliveries (webhook_id, event_id, next_at) VALUES (?, ?, ?)',
      ).run(webhookId, letter.event.id, at);
      return true;
    })();
  }

  async insertInbound(r: InboundRecord): Promise<boolean> {
    const result = this.sql(
      `INSERT INTO inbound_messages (tenant_id, message_id, chat, at, raw)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(r.tenant, r.messageId, r.chat, r.at, r.raw);
    return result.changes > 0;
  }

  async getInbound(tenant: string, messageId: string): Promise<InboundRecord | undefined> {
    const row = this.sql(
      'SELECT * FROM inbound_messages WHERE tenant_id = ? AND message_id = ?',
    ).get(tenant, messageId) as Row | undefined;
    return row ? inboundFromRow(row) : undefined;
  }

  async listTenantSettings(): Promise<TenantSettingsRecord[]> {
    const rows = this.sql('SELECT * FROM tenant_settings').all() as Row[];
    return rows.map(settingsFromRow);
  }

  async putTenantSettings(r: TenantSettingsRecord): Promise<void> {
    this.sql(
      `INSERT INTO tenant_settings (tenant_id, policy, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (tenant_id) DO UPDATE SET policy = excluded.policy,
         updated_at = excluded.updated_at`,
    ).run(r.tenant, r.policy, r.updatedAt);
  }

  async forgetTenant(tenant: string): Promise<void> {
    this.db.transaction(() => {
      this.sql('DELETE FROM tenant_settings WHERE tenant_id = ?').run(tenant);
      this.sql('DELETE FROM inbound_messages WHERE tenant_id = ?').run(tenant);
    })();
  }

  async prune(before: { sends: number; events: number; inbound: number }): Promise<number> {
    return this.db.transaction((): number => {
      let removed = 0;
      removed += this.sql('DELETE FROM sends WHERE created_at < ?').run(before.sends).changes;
      removed += this.sql(
        `DELETE FROM events WHERE at < ?
           AND id NOT IN (SELECT event_id FROM webhook_deliveries)`,
      ).run(before.events).changes;
      removed += this.sql('DELETE FROM inbound_messages WHERE at < ?').run(before.inbound).changes;
      return removed;
    })();
  }

  private sendRow(tenant: string, key: string): SendRecord | undefined {
    const row = this.sql('SELECT * FROM sends WHERE tenant_id = ? AND idem_key = ?').get(
      tenant,
      key,
    ) as Row | undefined;
    return row ? sendFromRow(row) : undefined;
  }
}
