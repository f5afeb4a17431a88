import { randomUUID } from 'node:crypto';
import { BufferJSON, generateMessageIDV2, type WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import { ApiError } from '../api/errors.js';
import type { EventHub } from '../events/hub.js';
import type { ServiceMetrics } from '../ops/metrics.js';
import type { RecordStore, SendRecord, SendState } from '../records/index.js';
import type { SessionManager } from '../session/index.js';
import type { AckOutcome, AckWatcher } from './acks.js';
import { buildContent, type ContentSettings } from './content.js';
import type { GuardedFetcher } from './guarded-fetch.js';
import { requestHash, toJid, type SendRequest } from './requests.js';
import { SendWriteError, deadlineAfter, mayHaveLeft } from './send-write.js';
import { sendView } from './send-view.js';

export interface SendServiceOptions {
  readonly records: RecordStore;
  readonly manager: SessionManager;
  readonly watcherOf: (sock: WASocket) => AckWatcher | undefined;
  readonly fetcher: GuardedFetcher;
  readonly settings: ContentSettings & { readonly sendAckTimeoutMs: number };
  /** This worker's name; a send claimed by a worker that is gone is judged by it. */
  readonly replicaId: string;
  /** Whether other replicas may hold claims (PostgreSQL): they are not judged stale at once. */
  readonly shared: boolean;
  readonly hub: EventHub;
  readonly logger: Logger;
  readonly metrics?: ServiceMetrics;
}

export interface SendResult {
  readonly record: SendRecord;
  /** The answer comes from an earlier call with the same key; nothing was sent now. */
  readonly replayed: boolean;
}

/** How long a claim of another replica may stay `sending` before it counts as abandoned. */
const ABANDONED_AFTER_MS = 5 * 60_000;

/**
 * Sends with idempotency keys. A key is claimed in the store before
 * anything is sent, so a retried call finds the first call's record and
 * never sends twice. The send waits for WhatsApp's ack up to
 * `sendAckTimeoutMs`; when the connection closes first the record becomes
 * `outcome_unknown` and stays so: a retry returns it and sends nothing.
 */
export class SendService {
  readonly #o: SendServiceOptions;
  readonly #inFlight = new Map<string, Promise<SendResult>>();

  constructor(options: SendServiceOptions) {
    this.#o = options;
  }

  async send(
    tenant: string,
    request: SendRequest,
    key: string = randomUUID(),
  ): Promise<SendResult> {
    const jid = toJid(request.to);
    if (!jid)
      throw new ApiError('invalid_request', 'to: not a phone number or JID', { field: 'to' });
    const normalised = { ...request, to: jid };
    const now = Date.now();
    const claim = await this.#o.records.claimSend({
      tenant,
      key,
      requestHash: requestHash(normalised),
      state: 'sending',
      retryable: false,
      messageId: null,
      to: jid,
      kind: request.kind,
      errorCode: null,
      errorMessage: null,
      message: null,
      createdAt: now,
      updatedAt: now,
      ackAt: null,
      owner: this.#o.replicaId,
    });
    if (!claim.claimed) return this.#existing(claim.existing, requestHash(normalised));
    const id = `${tenant}\u0000${key}`;
    const running = this.#run(tenant, key, normalised).finally(() => this.#inFlight.delete(id));
    this.#inFlight.set(id, running);
    return running;
  }

  /** A send's record, for `GET .../sends/:key`. */
  async get(tenant: string, key: string): Promise<SendRecord> {
    const record = await this.#o.records.getSend(tenant, key);
    if (!record) throw new ApiError('send_not_found', undefined, { idempotencyKey: key });
    return record;
  }

  /** The message a send carried, for Baileys' `getMessage` (retry receipts). */
  async messageFor(tenant: string, messageId: string): Promise<unknown> {
    const record = await this.#o.records.findSendByMessageId(tenant, messageId);
    return record?.message
      ? (JSON.parse(record.message, BufferJSON.reviver) as unknown)
      : undefined;
  }

  async #existing(record: SendRecord, hash: string): Promise<SendResult> {
    if (record.requestHash !== hash) {
      throw new ApiError('idempotency_key_reused', undefined, { idempotencyKey: record.key });
    }
    if (record.state !== 'sending') {
      this.#o.metrics?.sends.inc({ kind: record.kind, outcome: 'replayed' });
      return { record, replayed: true };
    }
    const running = this.#inFlight.get(`${record.tenant}\u0000${record.key}`);
    if (running) return { record: (await running).record, replayed: true };
    // Claimed, but by no send of this process: a worker that stopped (or
    // crashed) mid-send. What it wrote is unknowable, so it is never sent again.
    const mine = record.owner === this.#o.replicaId || !this.#o.shared;
    if (!mine && Date.now() - record.updatedAt < ABANDONED_AFTER_MS) {
      throw new ApiError('send_in_progress', undefined, { idempotencyKey: record.key });
    }
    const settled = await this.#settle(record.tenant, record.key, {
      state: 'outcome_unknown',
      errorCode: 'outcome_unknown',
      errorMessage: 'the worker that sent it stopped before the ack',
    });
    return { record: settled ?? record, replayed: true };
  }

  async #run(tenant: string, key: string, request: SendRequest): Promise<SendResult> {
    const log = this.#o.logger.child({ tenant, idempotencyKey: key, kind: request.kind });
    let content;
    try {
      content = await buildContent(request, {
        fetcher: this.#o.fetcher,
        settings: this.#o.settings,
        dispatcher: this.#o.manager.egress(tenant)?.dispatcher,
        logger: log,
        metrics: this.#o.metrics,
      });
    } catch (error) {
      await this.#failRetryable(tenant, key, request.kind, error);
      throw error;
    }
    const started = Date.now();
    let queuedMs = 0;
    let written: { messageId: string; message: string | null; waiting: Promise<AckOutcome> };
    try {
      written = await this.#o.manager.withSocket(tenant, async (sock) => {
        queuedMs = Date.now() - started;
        const watcher = this.#o.watcherOf(sock);
        const messageId = generateMessageIDV2(sock.user?.id);
        const expectation = watcher?.expect(messageId);
        try {
          const sent = await sock.sendMessage(request.to, content, { messageId });
          return {
            messageId,
            message: sent?.message ? JSON.stringify(sent.message, BufferJSON.replacer) : null,
            waiting:
              expectation?.outcome ??
              Promise.resolve<AckOutcome>({ kind: 'closed', at: Date.now() }),
          };
        } catch (error) {
          expectation?.cancel();
          throw new SendWriteError(error, messageId, mayHaveLeft(error, watcher?.closed ?? true));
        }
      });
    } catch (error) {
      if (error instanceof SendWriteError && error.unknown) {
        const record = await this.#settle(tenant, key, {
          state: 'outcome_unknown',
          messageId: error.messageId,
          errorCode: 'outcome_unknown',
          errorMessage: 'the connection to WhatsApp closed while the message was written',
        });
        this.#o.metrics?.sends.inc({ kind: request.kind, outcome: 'outcome_unknown' });
        log.warn({ messageId: error.messageId }, 'send outcome unknown: connection closed');
        return { record: record!, replayed: false };
      }
      await this.#failRetryable(
        tenant,
        key,
        request.kind,
        error instanceof SendWriteError ? error.cause : error,
      );
      if (error instanceof SendWriteError) {
        throw new ApiError('send_failed', 'the message could not be written to WhatsApp', {
          idempotencyKey: key,
        });
      }
      throw error;
    }
    const writtenMs = Date.now() - started;
    // The message id and content are stored with the outcome (one write),
    // or with `pending` when the deadline comes first.
    const sentAs = { messageId: written.messageId, message: written.message };
    const deadline = this.#o.settings.sendAckTimeoutMs;
    const first = await Promise.race([written.waiting, deadlineAfter(deadline)]);
    if (first === 'deadline') {
      const record = await this.#settle(tenant, key, { state: 'pending', ...sentAs });
      this.#o.metrics?.sends.inc({ kind: request.kind, outcome: 'pending' });
      log.info({ messageId: written.messageId, deadlineMs: deadline }, 'no ack yet; send pending');
      void written.waiting.then((late) => this.#late(tenant, key, started, late));
      return { record: record!, replayed: false };
    }
    const record = await this.#finish(tenant, key, started, first, ['sending'], sentAs);
    log.debug(
      {
        messageId: written.messageId,
        state: record?.state,
        queuedMs,
        writtenMs,
        answeredMs: Date.now() - started,
      },
      'send finished',
    );
    return { record: record!, replayed: false };
  }

  /** The ack (or close) that came after the answer went out: the record and an event. */
  async #late(tenant: string, key: string, started: number, outcome: AckOutcome): Promise<void> {
    const record = await this.#finish(tenant, key, started, outcome, ['pending']).catch(
      () => undefined,
    );
    if (record) {
      void this.#o.hub.publish('message.send', tenant, sendView(record));
    }
  }

  async #finish(
    tenant: string,
    key: string,
    started: number,
    outcome: AckOutcome,
    from: SendState[],
    sentAs: { messageId?: string; message?: string | null } = {},
  ): Promise<SendRecord | undefined> {
    if (outcome.kind === 'ack') {
      this.#o.metrics?.ackSeconds.observe((outcome.at - started) / 1_000);
      return this.#count(
        await this.#settle(tenant, key, { state: 'sent', ackAt: outcome.at, ...sentAs }, from),
      );
    }
    if (outcome.kind === 'error') {
      return this.#count(
        await this.#settle(
          tenant,
          key,
          {
            state: 'failed',
            retryable: false,
            errorCode: 'upstream_rejected',
            errorMessage: `WhatsApp answered with error ${outcome.code}`,
            ...sentAs,
          },
          from,
        ),
      );
    }
    return this.#count(
      await this.#settle(
        tenant,
        key,
        {
          state: 'outcome_unknown',
          errorCode: 'outcome_unknown',
          errorMessage: 'the connection to WhatsApp closed before its ack',
          ...sentAs,
        },
        from,
      ),
    );
  }

  #count(record: SendRecord | undefined): SendRecord | undefined {
    if (record) this.#o.metrics?.sends.inc({ kind: record.kind, outcome: record.state });
    return record;
  }

  #settle(
    tenant: string,
    key: string,
    patch: Parameters<RecordStore['updateSend']>[2],
    from: SendState[] = ['sending'],
  ): Promise<SendRecord | undefined> {
    return this.#o.records.updateSend(tenant, key, patch, Date.now(), from);
  }

  async #failRetryable(tenant: string, key: string, kind: string, error: unknown): Promise<void> {
    const code = (error as { code?: unknown }).code;
    await this.#settle(tenant, key, {
      state: 'failed',
      retryable: true,
      errorCode: typeof code === 'string' ? code : 'send_failed',
      errorMessage: 'nothing reached WhatsApp; the same key may be sent again',
    });
    this.#o.metrics?.sends.inc({ kind, outcome: 'failed' });
  }
}
