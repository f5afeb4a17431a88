import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EgressAudit } from '../egress/index.js';
import type { SessionManager } from '../session/index.js';
import { SESSION_STATUSES } from '../session/index.js';

export interface MetricsSources {
  readonly manager: SessionManager;
  readonly audit: EgressAudit;
  /** Webhook deliveries waiting in the queue (every replica's). */
  readonly pendingDeliveries: () => Promise<number>;
  readonly sseClients: () => number;
}

/**
 * The worker's Prometheus metrics, on a registry of its own (so two workers
 * in one test process never collide). Layers add theirs to `registry`; the
 * tunnel adds its per-route metrics there.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
  readonly transitions: Counter<'to' | 'reason'>;
  readonly sends: Counter<'kind' | 'outcome'>;
  readonly ackSeconds: Histogram;
  readonly received: Counter<'kind'>;
  readonly receipts: Counter<'status'>;
  readonly events: Counter<'type'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly webhookSeconds: Histogram<'outcome'>;
  readonly mediaFetches: Counter<'outcome'>;
  readonly mediaFetchBytes: Counter;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'pasarela_' });
    this.httpRequests = new Counter({
      name: 'pasarela_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'pasarela_http_request_duration_seconds',
      help: 'Time to answer an HTTP request (an SSE stream counts until its headers)',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
      registers,
    });
    this.transitions = new Counter({
      name: 'pasarela_session_transitions_total',
      help: 'Session status changes, by new status and reason',
      labelNames: ['to', 'reason'],
      registers,
    });
    this.sends = new Counter({
      name: 'pasarela_messages_sent_total',
      help: 'Send requests, by kind and outcome (sent, pending, outcome_unknown, failed, replayed)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.ackSeconds = new Histogram({
      name: 'pasarela_message_ack_seconds',
      help: "Time from a send to WhatsApp's ack",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    });
    this.received = new Counter({
      name: 'pasarela_messages_received_total',
      help: 'Messages received from WhatsApp, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.receipts = new Counter({
      name: 'pasarela_receipts_total',
      help: 'Delivery receipts of sent messages, by status',
      labelNames: ['status'],
      registers,
    });
    this.events = new Counter({
      name: 'pasarela_events_total',
      help: 'Events published, by type',
      labelNames: ['type'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'pasarela_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (delivered, retried, dead_lettered)',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookSeconds = new Histogram({
      name: 'pasarela_webhook_attempt_seconds',
      help: 'Duration of one webhook delivery attempt, by outcome',
      labelNames: ['outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.mediaFetches = new Counter({
      name: 'pasarela_media_fetches_total',
      help: 'Fetches of caller URLs (media, link previews), by outcome code',
      labelNames: ['outcome'],
      registers,
    });
    this.mediaFetchBytes = new Counter({
      name: 'pasarela_media_fetch_bytes_total',
      help: 'Bytes read by fetches of caller URLs',
      registers,
    });
  }

  /** Adds the gauges read at scrape time from the running worker. */
  watch(sources: MetricsSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'pasarela_sessions',
      help: 'Sessions running on this worker, by status',
      labelNames: ['status'],
      registers,
      collect() {
        const counts = new Map<string, number>(SESSION_STATUSES.map((s) => [s, 0]));
        for (const view of sources.manager.list()) {
          counts.set(view.status, (counts.get(view.status) ?? 0) + 1);
        }
        for (const [status, count] of counts) this.set({ status }, count);
      },
    });
    new Gauge({
      name: 'pasarela_sse_clients',
      help: 'Open SSE streams',
      registers,
      collect() {
        this.set(sources.sseClients());
      },
    });
    new Gauge({
      name: 'pasarela_webhook_queue',
      help: 'Webhook deliveries waiting (due or backing off)',
      registers,
      async collect() {
        this.set(await sources.pendingDeliveries());
      },
    });
    new Counter({
      name: 'pasarela_egress_connections_total',
      help: 'Connections opened by tenant egresses since the worker started, by tenant and route',
      labelNames: ['tenant', 'route'],
      registers,
      collect() {
        this.reset();
        const { tenants } = sources.audit.snapshot();
        for (const [tenant, counters] of Object.entries(tenants)) {
          this.inc({ tenant, route: 'direct' }, counters.direct);
          this.inc({ tenant, route: 'tunnel' }, counters.tunnel);
        }
      },
    });
    new Counter({
      name: 'pasarela_egress_leaks_total',
      help: 'Direct connections to WhatsApp while the policy and a ready peer said tunnel',
      labelNames: ['tenant'],
      registers,
      collect() {
        this.reset();
        const { tenants } = sources.audit.snapshot();
        for (const [tenant, counters] of Object.entries(tenants)) {
          this.inc({ tenant }, counters.leaks);
        }
      },
    });
    new Counter({
      name: 'pasarela_egress_unattributed_total',
      help: 'WhatsApp-bound connections the process guards saw without a tenant, by verdict',
      labelNames: ['verdict'],
      registers,
      collect() {
        this.reset();
        const { unattributed } = sources.audit.snapshot();
        this.inc({ verdict: 'refused' }, unattributed.refused);
        this.inc({ verdict: 'allowed' }, unattributed.allowed);
      },
    });
  }
}
