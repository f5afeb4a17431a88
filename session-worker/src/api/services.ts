import type { Logger } from 'pino';
import type { ApiSettings } from '../config/index.js';
import type { EgressAudit } from '../egress/index.js';
import type { EventHub } from '../events/hub.js';
import type { WebhookRegistry } from '../events/webhooks/registry.js';
import type { SendService } from '../messages/sender.js';
import type { SocketBridge } from '../messages/socket-bridge.js';
import type { ServiceMetrics } from '../ops/metrics.js';
import type { Readiness } from '../ops/health.js';
import type { RecordStore } from '../records/index.js';
import type { TenantPolicies } from '../service/policies.js';
import type { SessionManager } from '../session/index.js';
import type { AuthStore } from '../store/index.js';
import type { ApiKeys } from './keys.js';
import type { TunnelApi, TunnelViewProvider } from './tunnel-view.js';

/** Everything the routes work with; the worker builds it once. */
export interface ApiServices {
  readonly manager: SessionManager;
  readonly store: AuthStore;
  readonly records: RecordStore;
  readonly keys: ApiKeys;
  readonly hub: EventHub;
  readonly webhooks: WebhookRegistry;
  /** Told when a delivery was queued outside an event (a dead letter sent again). */
  readonly deliveries: { wake(): void };
  readonly sends: SendService;
  readonly bridge: SocketBridge;
  readonly policies: TenantPolicies;
  readonly metrics: ServiceMetrics;
  readonly audit: EgressAudit;
  readonly readiness: Readiness;
  readonly settings: ApiSettings;
  readonly logger: Logger;
  /** Open SSE streams, counted for the metrics. */
  readonly sse: { clients: number };
  /** The sessions list's tunnel fields; "no tunnel" for every tenant without a room. */
  tunnelView: TunnelViewProvider;
  /** Token minting and stats; null when no room is configured. */
  readonly tunnels: TunnelApi | null;
}
