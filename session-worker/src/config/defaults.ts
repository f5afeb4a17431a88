/**
 * Every tunable of the worker's API, events, webhooks, sends and media
 * fetches, in one place. Durations are milliseconds, sizes bytes.
 * `parseApiSettings` validates a whole configuration and names the first bad
 * field; `src/config/variables.ts` maps each field to its variable.
 */
export const API_DEFAULTS = Object.freeze({
  /** TCP port of the HTTP API; `PORT` (what Railway and similar hosts set) is read too. */
  port: 3_000,
  /** Address the HTTP API listens on. */
  host: '0.0.0.0',
  /** Largest request body accepted; base64 media needs 4/3 of the media cap. */
  maxBodyBytes: 24 * 1024 * 1024,
  /** How long a send waits for WhatsApp's ack before answering `pending`. */
  sendAckTimeoutMs: 15_000,
  /** How long a send record (and its idempotency key) is kept. */
  idempotencyTtlMs: 24 * 3_600_000,
  /** Largest media file, given as bytes or fetched from a URL. */
  mediaMaxBytes: 16 * 1024 * 1024,
  /** Deadline of one media or link-preview fetch, every redirect and the body included. */
  mediaFetchTimeoutMs: 30_000,
  /** Redirects followed by a media or link-preview fetch; each hop is checked again. */
  mediaMaxRedirects: 5,
  /**
   * Hosts, `*.suffix` patterns, addresses and CIDR blocks that fetched URLs
   * and webhooks may reach although they resolve to loopback, private,
   * link-local or metadata addresses. Empty: only public addresses.
   */
  urlAllowlist: '',
  /** `off`: texts never carry a link preview; `guarded`: the worker fetches the page itself. */
  linkPreviews: 'off' as 'off' | 'guarded',
  /** Largest page read for a link preview. */
  linkPreviewMaxBytes: 512 * 1024,
  /** Deadline of one webhook delivery attempt, the answer included. */
  webhookTimeoutMs: 10_000,
  /** Attempts per delivery before it becomes a dead letter. */
  webhookMaxAttempts: 8,
  /** First retry delay; doubled after each failed attempt. */
  webhookBackoffBaseMs: 2_000,
  /** Longest retry delay. */
  webhookBackoffMaxMs: 600_000,
  /** Deliveries in flight at once, for the whole worker. */
  webhookConcurrency: 16,
  /** Deliveries in flight at once to one endpoint, so a slow one cannot take every slot. */
  webhookEndpointConcurrency: 2,
  /** How often the delivery queue is read when nothing woke it (other replicas, retries). */
  webhookPollMs: 1_000,
  /** How long events are kept for SSE resumption. */
  eventRetentionMs: 3 * 24 * 3_600_000,
  /** How often an idle SSE stream sends a comment line, so proxies keep it open. */
  sseKeepaliveMs: 15_000,
  /** How often SSE streams read events written by other replicas. */
  ssePollMs: 1_000,
  /** How long received messages are kept for media downloads and Baileys' retries. */
  inboundRetentionMs: 7 * 24 * 3_600_000,
  /** How often expired records are removed. */
  pruneIntervalMs: 600_000,
  /** How often a replica reads tenant settings another replica may have changed. */
  settingsPollMs: 5_000,
  /** Bearer token for `/metrics` besides the admin key; empty: the admin key only. */
  metricsToken: '',
});

type Widen<T> = T extends number ? number : T extends 'off' | 'guarded' ? T : string;

export type ApiSettings = {
  -readonly [K in keyof typeof API_DEFAULTS]: Widen<(typeof API_DEFAULTS)[K]>;
};
