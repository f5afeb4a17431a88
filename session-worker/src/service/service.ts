import type { Logger } from 'pino';
import { createApi, type Api, type RouteExtension } from '../api/app.js';
import { listen, type HttpServer } from '../api/server.js';
import { NO_TUNNEL, type TunnelViewProvider } from '../api/tunnel-view.js';
import type { ServiceSettings } from '../config/index.js';
import { compileHostMap, getProcessAudit, type EgressAudit } from '../egress/index.js';
import { EventCatalogue, type EventTypeSpec } from '../events/catalogue.js';
import { EventHub } from '../events/hub.js';
import { publishSessionEvents } from '../events/session-events.js';
import { publishTunnelEvents, TUNNEL_EVENT_TYPES } from '../events/tunnel-events.js';
import { WebhookDispatcher } from '../events/webhooks/dispatcher.js';
import { WebhookRegistry } from '../events/webhooks/registry.js';
import { parseAllowlist } from '../messages/allowlist.js';
import { GuardedFetcher } from '../messages/guarded-fetch.js';
import { SendService } from '../messages/sender.js';
import { SocketBridge } from '../messages/socket-bridge.js';
import { UrlGuard } from '../messages/url-guard.js';
import { captureConsole } from '../ops/console.js';
import { Readiness } from '../ops/health.js';
import { ServiceMetrics } from '../ops/metrics.js';
import { watchTunnelMetrics } from '../ops/tunnel-metrics.js';
import { PgRecordStore, SqliteRecordStore, type RecordStore } from '../records/index.js';
import { baileysDownloadGuarded } from '../session/download-guard.js';
import { TunnelService } from '../tunnel/service.js';
import { TenantPolicies } from './policies.js';
import { Pruner } from './pruner.js';
import { startWorker, type Worker, type WorkerHooks } from './worker.js';

/** What other layers plug into the service, besides the tunnel it wires itself. */
export interface ServiceExtensions {
  /** Routes added through the API's registry (documented and checked like the rest). */
  readonly routes?: readonly RouteExtension[];
  /** Event types the layer publishes through `service.hub`. */
  readonly eventTypes?: readonly EventTypeSpec[];
  /** Wraps each tenant's egress factory (inside the tunnel's own wrapping). */
  readonly wrapEgress?: WorkerHooks['wrapEgress'];
  /** The sessions list's tunnel fields, instead of the tunnel service's. */
  readonly tunnelView?: TunnelViewProvider;
  /** The process audit; the process-wide one by default. */
  readonly audit?: EgressAudit;
  /** Route the process console into the log (libsignal prints session keys there). */
  readonly captureConsole?: boolean;
}

export interface Service {
  readonly worker: Worker;
  readonly api: Api;
  readonly http: HttpServer;
  readonly hub: EventHub;
  readonly records: RecordStore;
  readonly metrics: ServiceMetrics;
  /** Each tenant's tunnel through its room; null when no room is configured. */
  readonly tunnels: TunnelService | null;
  /**
   * Starts the sessions: takes this worker's share of tenants. Called once
   * the caller has its own listeners on the worker (the control channel).
   */
  run(): Promise<void>;
  /** Stops taking requests, ends every session, flushes events, closes the store. */
  shutdown(): Promise<void>;
}

/**
 * The whole worker: sessions (`startWorker`), the records beside them, the
 * event hub with SSE and webhooks, sends, metrics, readiness, the tunnel
 * (when a room is configured) and the HTTP API. Everything is wired before
 * the first tenant starts, so no socket is built without its listeners and
 * no egress without its tunnel.
 */
export async function startService(
  settings: ServiceSettings,
  logger: Logger,
  extensions: ServiceExtensions = {},
): Promise<Service> {
  const releaseConsole = extensions.captureConsole ? captureConsole(logger) : () => undefined;
  const metrics = new ServiceMetrics();
  const catalogue = new EventCatalogue();
  for (const spec of [...TUNNEL_EVENT_TYPES, ...(extensions.eventTypes ?? [])]) {
    catalogue.register(spec);
  }
  const audit = extensions.audit ?? getProcessAudit();
  // Checked against the sessions' keepalive here too, for callers that skip the env reader.
  const tunnels = settings.tunnel
    ? new TunnelService({
        config: settings.tunnel,
        audit,
        logger: logger.child({ component: 'tunnel' }),
        keepAliveIntervalMs: settings.session.keepAliveIntervalMs,
      })
    : null;
  let stopTunnelEvents: () => void = () => undefined;
  const wrapEgress = composeEgress(tunnels, extensions.wrapEgress);
  const allowlist = parseAllowlist(settings.api.urlAllowlist);
  const hostMap = settings.egress.hostMap ? compileHostMap(settings.egress.hostMap) : undefined;
  const mediaFetcher = new GuardedFetcher({
    guard: new UrlGuard({ allowlist, hostMap }),
    ca: settings.egress.ca,
  });
  // Webhooks go to the restaurant's own backend, never to WhatsApp: no host map.
  const hookFetcher = new GuardedFetcher({
    guard: new UrlGuard({ allowlist }),
    ca: settings.egress.ca,
    userAgent: 'pasarela-webhooks',
  });
  const readiness = new Readiness();
  const sse = { clients: 0 };
  let wired:
    | {
        records: RecordStore;
        hub: EventHub;
        webhooks: WebhookRegistry;
        dispatcher: WebhookDispatcher;
        bridge: SocketBridge;
        policies: TenantPolicies;
        sends?: SendService;
      }
    | undefined;

  let worker: Worker;
  try {
    worker = await startWorker(settings, logger, async ({ database }) => {
      const records: RecordStore =
        database.kind === 'sqlite'
          ? new SqliteRecordStore(database.file.db)
          : new PgRecordStore(database.database);
      const webhooks = new WebhookRegistry(records, hookFetcher.guard);
      await webhooks.refresh();
      const hub = new EventHub({
        records,
        catalogue,
        webhooks,
        logger: logger.child({ component: 'events' }),
        onPublished: (record) => {
          metrics.events.inc({ type: record.type });
          dispatcher.wake();
        },
      });
      const dispatcher = new WebhookDispatcher({
        records,
        registry: webhooks,
        fetcher: hookFetcher,
        settings: settings.api,
        logger: logger.child({ component: 'webhooks' }),
        metrics,
      });
      const bridge = new SocketBridge({ records, hub, logger, metrics });
      const policies = new TenantPolicies(
        records,
        settings.egress.defaultPolicy,
        logger.child({ component: 'policies' }),
      );
      await policies.refresh();
      wired = { records, hub, webhooks, dispatcher, bridge, policies };
      return {
        policyFor: (tenant) => policies.get(tenant),
        onSocket: (tenant, sock) => bridge.attach(tenant, sock),
        socketOptions: (tenant) => ({
          getMessage: async (key) =>
            key.id ? ((await wired?.sends?.messageFor(tenant, key.id)) as never) : undefined,
        }),
        ...(wrapEgress ? { wrapEgress } : {}),
        beforeStoreClose: async () => {
          // Every session has ended: the last tunnel events are written before the hub closes.
          stopTunnelEvents();
          tunnels?.close();
          await dispatcher.stop();
          await hub.close();
        },
      };
    });
  } catch (error) {
    releaseConsole();
    throw error;
  }
  const { records, hub, webhooks, dispatcher, bridge, policies } = wired!;
  const stopSessionEvents = publishSessionEvents(worker.manager, hub, metrics);
  // Before the first session runs: reconnects, session status and lease epochs reach the tunnel.
  const unbindTunnel = tunnels?.bindSessions(worker.manager) ?? (() => undefined);
  if (tunnels) stopTunnelEvents = publishTunnelEvents(tunnels.events, hub);
  const stopTunnelMetrics = tunnels
    ? watchTunnelMetrics(metrics.registry, tunnels)
    : () => undefined;
  const sends = new SendService({
    records,
    manager: worker.manager,
    watcherOf: (sock) => bridge.watcherOf(sock),
    fetcher: mediaFetcher,
    settings: settings.api,
    replicaId: worker.replicaId,
    shared: worker.database.kind === 'postgres',
    hub,
    logger: logger.child({ component: 'sends' }),
    metrics,
  });
  wired!.sends = sends;
  metrics.watch({
    manager: worker.manager,
    audit,
    pendingDeliveries: () => records.pendingDeliveries(),
    sseClients: () => sse.clients,
  });
  readiness.add({ name: 'store', run: () => records.ping() });
  readiness.add({
    name: 'sessions',
    run: async () => {
      worker.manager.list();
    },
  });
  const api = createApi({
    services: {
      manager: worker.manager,
      store: worker.store,
      records,
      hub,
      webhooks,
      deliveries: dispatcher,
      sends,
      bridge,
      policies,
      metrics,
      audit,
      readiness,
      settings: settings.api,
      logger,
      sse,
      tunnelView:
        extensions.tunnelView ??
        (tunnels ? (tenant, running) => tunnels.summary(tenant, running) : NO_TUNNEL),
      tunnels,
    },
    adminKeyHash: settings.adminKeyHash,
    settings: settings.api,
    logger,
    ...(extensions.routes ? { extensions: extensions.routes } : {}),
  });
  const pruner = new Pruner({
    records,
    webhooks,
    policies,
    manager: worker.manager,
    settings: settings.api,
    shared: worker.database.kind === 'postgres',
    logger: logger.child({ component: 'maintenance' }),
  });
  dispatcher.start();
  pruner.start();
  let http: HttpServer;
  try {
    http = await listen(api.app, settings.api.port, settings.api.host);
  } catch (error) {
    pruner.stop();
    stopSessionEvents();
    unbindTunnel();
    stopTunnelMetrics();
    await worker.shutdown();
    releaseConsole();
    throw error;
  }
  logger.info({ port: http.port, host: settings.api.host }, 'HTTP API listening');
  if (!baileysDownloadGuarded()) {
    logger.error(
      { code: 'baileys_unguarded' },
      'Baileys is not patched: a download cut mid-body would end this process; ' +
        'reinstall without --ignore-scripts or run session-worker/scripts/patch-baileys.mjs',
    );
  }

  let stopping: Promise<void> | undefined;
  return {
    worker,
    api,
    http,
    hub,
    records,
    metrics,
    tunnels,
    run: () => worker.run(),
    shutdown() {
      stopping ??= (async () => {
        readiness.stopping();
        pruner.stop();
        await http.close();
        await worker.shutdown();
        stopSessionEvents();
        unbindTunnel();
        stopTunnelMetrics();
        releaseConsole();
      })();
      return stopping;
    },
  };
}

/** The tunnel attaches its route to whatever egress the rest of the chain makes. */
function composeEgress(
  tunnels: TunnelService | null,
  extension: WorkerHooks['wrapEgress'],
): WorkerHooks['wrapEgress'] {
  if (!tunnels) return extension;
  return (make) => tunnels.egressFactory(extension ? extension(make) : make);
}
