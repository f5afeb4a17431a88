import type pg from 'pg';
import type { PgDatabase } from '../store/index.js';
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
 * The records on the worker's PostgreSQL schema (migration 3), shared by
 * every replica. The pool belongs to the auth store, which closes it.
 */
export class PgRecordStore implements RecordStore {
  readonly kind = 'postgres';
  private readonly pool: pg.Pool;
  private readonly t: (name: string) => string;

  constructor(database: PgDatabase) {
    this.pool = database.pool;
    this.t = (name) => database.table(name);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async insertApiKey(r: ApiKeyRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.t('api_keys')} (key_id, tenant_id, hash, label, created_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [r.id, r.tenant, r.hash, r.label, r.createdAt, r.revokedAt],
    );
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('api_keys')} WHERE key_id = $1`,
      [id],
    );
    return rows[0] ? apiKeyFromRow(rows[0]) : undefined;
  }

  async listApiKeys(tenant: string): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('api_keys')} WHERE tenant_id = $1 ORDER BY created_at, key_id`,
      [tenant],
    );
    return rows.map(apiKeyFromRow);
  }

  async revokeApiKey(tenant: string, id: string, at: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.t('api_keys')} SET revoked_at = $1
       WHERE key_id = $2 AND tenant_id = $3 AND revoked_at IS NULL`,
      [at, id, tenant],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async claimSend(record: SendRecord): Promise<ClaimResult> {
    const sends = this.t('sends');
    const placeholders = SEND_COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
    // One statement: insert, or take over a retryable failure; concurrent
    // claims of one key serialise on the row, and only one sees it claimable.
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO ${sends} AS s (${SEND_COLUMNS.join(', ')}) VALUES (${placeholders})
       ON CONFLICT (tenant_id, idem_key) DO UPDATE SET
         request_hash = excluded.request_hash, state = excluded.state,
         retryable = excluded.retryable, message_id = NULL, error_code = NULL,
         error_message = NULL, message = NULL, updated_at = excluded.updated_at,
         owner = excluded.owner
       WHERE s.state = 'failed' AND s.retryable
       RETURNING *`,
      sendValues(record, (b) => b),
    );
    if (rows[0]) return { claimed: true, record: sendFromRow(rows[0]) };
    const existing = await this.getSend(record.tenant, record.key);
    if (!existing) return this.claimSend(record);
    return { claimed: false, existing };
  }

  async updateSend(
    tenant: string,
    key: string,
    patch: SendPatch,
    at: number,
    from?: readonly SendState[],
  ): Promise<SendRecord | undefined> {
    const values: unknown[] = [at];
    const sets: string[] = ['updated_at = $1'];
    for (const [field, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      values.push(value);
      sets.push(`${PATCH_COLUMNS[field]} = $${values.length}`);
    }
    values.push(tenant, key);
    let where = `tenant_id = $${values.length - 1} AND idem_key = $${values.length}`;
    if (from && from.length > 0) {
      values.push([...from]);
      where += ` AND state = ANY($${values.length})`;
    }
    const { rows } = await this.pool.query<Row>(
      `UPDATE ${this.t('sends')} SET ${sets.join(', ')} WHERE ${where} RETURNING *`,
      values,
    );
    return rows[0] ? sendFromRow(rows[0]) : undefined;
  }

  async getSend(tenant: string, key: string): Promise<SendRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('sends')} WHERE tenant_id = $1 AND idem_key = $2`,
      [tenant, key],
    );
    return rows[0] ? sendFromRow(rows[0]) : undefined;
  }

  async findSendByMessageId(tenant: string, messageId: string): Promise<SendRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('sends')} WHERE tenant_id = $1 AND message_id = $2 LIMIT 1`,
      [tenant, messageId],
    );
    return rows[0] ? sendFromRow(rows[0]) : undefined;
  }

  async appendEvent(event: EventInput, webhookIds: readonly string[]): Promise<EventRecord> {
    return (await this.appendEvents([{ event, webhookIds }]))[0]!;
  }

  async appendEvents(
    batch: readonly { readonly event: EventInput; readonly webhookIds: readonly string[] }[],
  ): Promise<EventRecord[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Ids are handed out and committed in one order across replicas, so a
      // reader resuming after id N never misses an event that commits later
      // with a smaller id.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `pasarela-events:${this.t('events')}`,
      ]);
      const written: EventRecord[] = [];
      for (const { event, webhookIds } of batch) {
        const { rows } = await client.query<{ id: string }>(
          `INSERT INTO ${this.t('events')} (type, tenant_id, at, data)
           VALUES ($1, $2, $3, $4) RETURNING id`,
          [event.type, event.tenant, event.at, JSON.stringify(event.data)],
        );
        const id = Number(rows[0]!.id);
        if (webhookIds.length > 0) {
          await client.query(
            `INSERT INTO ${this.t('webhook_deliveries')} (webhook_id, event_id, next_at)
             SELECT w, $2, $3 FROM unnest($1::text[]) AS w`,
            [[...webhookIds], id, event.at],
          );
        }
        written.push({ ...event, id });
      }
      await client.query('COMMIT');
      return written;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async readEvents(query: EventQuery): Promise<EventRecord[]> {
    const values: unknown[] = [query.after];
    const clauses = ['id > $1'];
    if (query.tenant !== undefined) {
      values.push(query.tenant);
      clauses.push(`tenant_id = $${values.length}`);
    }
    if (query.types && query.types.length > 0) {
      values.push([...query.types]);
      clauses.push(`type = ANY($${values.length})`);
    }
    values.push(query.limit);
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('events')} WHERE ${clauses.join(' AND ')}
       ORDER BY id LIMIT $${values.length}`,
      values,
    );
    return rows.map(eventFromRow);
  }

  async oldestEventId(): Promise<number | null> {
    const { rows } = await this.pool.query<{ id: string | null }>(
      `SELECT min(id) AS id FROM ${this.t('events')}`,
    );
    return rows[0]?.id == null ? null : Number(rows[0].id);
  }

  async latestEventId(): Promise<number> {
    const { rows } = await this.pool.query<{ id: string | null }>(
      `SELECT max(id) AS id FROM ${this.t('events')}`,
    );
    return rows[0]?.id == null ? 0 : Number(rows[0].id);
  }

  async insertWebhook(r: WebhookRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.t('webhooks')} (webhook_id, tenant_id, url, events, secret, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        r.id,
        r.tenant,
        r.url,
        r.events === null ? null : JSON.stringify(r.events),
        r.secret,
        r.createdAt,
      ],
    );
  }

  async listWebhooks(): Promise<WebhookRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('webhooks')} ORDER BY created_at`,
    );
    return rows.map(webhookFromRow);
  }

  async deleteWebhook(id: string): Promise<boolean> {
    const result = await this.pool.query(
      `DELETE FROM ${this.t('webhooks')} WHERE webhook_id = $1`,
      [id],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async claimDeliveries(options: ClaimOptions): Promise<DueDelivery[]> {
    const deliveries = this.t('webhook_deliveries');
    // Locked (in-flight) deliveries rank first within their endpoint, so an
    // endpoint's slots are shared by every replica. The UPDATE re-checks the
    // lock, so two replicas never claim one delivery.
    const { rows } = await this.pool.query<Row>(
      `WITH ranked AS (
         SELECT id, locked_until, next_at,
           ROW_NUMBER() OVER (
             PARTITION BY webhook_id ORDER BY (locked_until > $1) DESC, next_at, id
           ) AS slot
         FROM ${deliveries}
         WHERE locked_until > $1 OR next_at <= $1
       ), chosen AS (
         SELECT id FROM ranked
         WHERE slot <= $2 AND locked_until <= $1 AND next_at <= $1
         ORDER BY next_at, id LIMIT $3
       )
       UPDATE ${deliveries} AS d SET locked_until = $4
       FROM chosen WHERE d.id = chosen.id AND d.locked_until <= $1
       RETURNING d.id, d.webhook_id, d.attempt, d.event_id`,
      [options.now, options.perWebhook, options.limit, options.now + options.lockMs],
    );
    if (rows.length === 0) return [];
    const { rows: events } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('events')} WHERE id = ANY($1)`,
      [rows.map((r) => r['event_id'])],
    );
    const byId = new Map(events.map((row) => [Number(row['id']), eventFromRow(row)]));
    const due: DueDelivery[] = [];
    for (const row of rows) {
      const event = byId.get(Number(row['event_id']));
      if (!event) {
        await this.completeDelivery(Number(row['id']));
        continue;
      }
      due.push({
        id: Number(row['id']),
        webhookId: String(row['webhook_id']),
        attempt: Number(row['attempt']),
        event,
      });
    }
    return due.sort((a, b) => a.id - b.id);
  }

  async completeDelivery(id: number): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t('webhook_deliveries')} WHERE id = $1`, [id]);
  }

  async retryDelivery(
    id: number,
    attempt: number,
    nextAt: number,
    status: number | null,
    error: string,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.t('webhook_deliveries')} SET attempt = $1, next_at = $2, locked_until = 0,
       last_status = $3, last_error = $4 WHERE id = $5`,
      [attempt, nextAt, status, error, id],
    );
  }

  async deadLetter(
    delivery: DueDelivery,
    status: number | null,
    error: string,
    at: number,
  ): Promise<DeadLetterRecord> {
    const { rows } = await this.pool.query<Row>(
      `WITH gone AS (DELETE FROM ${this.t('webhook_deliveries')} WHERE id = $1)
       INSERT INTO ${this.t('webhook_dead_letters')}
         (webhook_id, event_id, event, attempts, last_status, last_error, created_at)
       VALUES ($2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        delivery.id,
        delivery.webhookId,
        delivery.event.id,
        JSON.stringify(delivery.event),
        delivery.attempt + 1,
        status,
        error,
        at,
      ],
    );
    return deadLetterFromRow(rows[0]!);
  }

  async pendingDeliveries(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${this.t('webhook_deliveries')}`,
    );
    return Number(rows[0]?.n ?? 0);
  }

  async listDeadLetters(webhookId: string, limit: number): Promise<DeadLetterRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('webhook_dead_letters')} WHERE webhook_id = $1
       ORDER BY id DESC LIMIT $2`,
      [webhookId, limit],
    );
    return rows.map(deadLetterFromRow);
  }

  async redeliverDeadLetter(webhookId: string, id: number, at: number): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<Row>(
        `DELETE FROM ${this.t('webhook_dead_letters')} WHERE id = $1 AND webhook_id = $2
         RETURNING *`,
        [id, webhookId],
      );
      if (!rows[0]) {
        await client.query('ROLLBACK');
        return false;
      }
      const { event } = deadLetterFromRow(rows[0]);
      // The event may have been pruned from the log; put the kept copy back under its id.
      await client.query(
        `INSERT INTO ${this.t('events')} (id, type, tenant_id, at, data)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
        [event.id, event.type, event.tenant, event.at, JSON.stringify(event.data)],
      );
      await client.query(
        `INSERT INTO ${this.t('webhook_deliveries')} (webhook_id, event_id, next_at)
         VALUES ($1, $2, $3)`,
        [webhookId, event.id, at],
      );
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async insertInbound(r: InboundRecord): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO ${this.t('inbound_messages')} (tenant_id, message_id, chat, at, raw)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [r.tenant, r.messageId, r.chat, r.at, r.raw],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async getInbound(tenant: string, messageId: string): Promise<InboundRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `SELECT * FROM ${this.t('inbound_messages')} WHERE tenant_id = $1 AND message_id = $2`,
      [tenant, messageId],
    );
    return rows[0] ? inboundFromRow(rows[0]) : undefined;
  }

  async listTenantSettings(): Promise<TenantSettingsRecord[]> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM ${this.t('tenant_settings')}`);
    return rows.map(settingsFromRow);
  }

  async putTenantSettings(r: TenantSettingsRecord): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.t('tenant_settings')} (tenant_id, policy, updated_at)
       VALUES ($1, $2, $3)
       ON CONFLICT (tenant_id) DO UPDATE SET policy = excluded.policy,
       updated_at = excluded.updated_at`,
      [r.tenant, r.policy, r.updatedAt],
    );
  }

  async forgetTenant(tenant: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.t('tenant_settings')} WHERE tenant_id = $1`, [
      tenant,
    ]);
    await this.pool.query(`DELETE FROM ${this.t('inbound_messages')} WHERE tenant_id = $1`, [
      tenant,
    ]);
  }

  async prune(before: { sends: number; events: number; inbound: number }): Promise<number> {
    const counts = await Promise.all([
      this.pool.query(`DELETE FROM ${this.t('sends')} WHERE created_at < $1`, [before.sends]),
      this.pool.query(
        `DELETE FROM ${this.t('events')} e WHERE e.at < $1 AND NOT EXISTS
         (SELECT 1 FROM ${this.t('webhook_deliveries')} d WHERE d.event_id = e.id)`,
        [before.events],
      ),
      this.pool.query(`DELETE FROM ${this.t('inbound_messages')} WHERE at < $1`, [before.inbound]),
    ]);
    return counts.reduce((sum, result) => sum + (result.rowCount ?? 0), 0);
  }
}
