import type { EventEmitter } from 'node:events';
import type https from 'node:https';
import { isTenantId } from '@pasarela/shared';
import type { EgressPolicy } from '@pasarela/shared';
import type { Dispatcher } from 'undici';
import { getProcessAudit } from './audit.js';
import type { AuditCounters, EgressAudit } from './audit.js';
import { checkDeadlines, checkHostMap, parsePolicy, productionDefault } from './config.js';
import type { RouteCounterSet } from './counters.js';
import type { EgressDeadlines } from './defaults.js';
import { EgressConfigError } from './errors.js';
import type { HostMap } from './host-map.js';
import { SILENT_LOGGER } from './logger.js';
import type { EgressLogger } from './logger.js';
import type { PeerView } from './route.js';
import { Egress } from './tenant-egress.js';
import { secureContextFor } from './trust.js';
import type { EgressActivity, EgressEvents, TunnelAttachment } from './tunnel-attachment.js';

export interface EgressOptions {
  readonly tenant: string;
  readonly policy: EgressPolicy;
  /** Development only; refused in production mode. */
  readonly hostMap?: HostMap;
  /** Extra PEM certificate authorities trusted on top of Node's defaults. */
  readonly ca?: string | Buffer;
  /** Defaults to NODE_ENV === 'production'. */
  readonly production?: boolean;
  /** The process's shared audit; by default the process-wide one. */
  readonly audit?: EgressAudit;
  readonly logger?: EgressLogger;
  /** Narrower time limits than `EGRESS_DEFAULTS.deadlines`. */
  readonly deadlines?: Partial<EgressDeadlines>;
}

export interface TenantEgress {
  readonly tenant: string;
  /** Baileys' `agent` and `fetchAgent`. */
  readonly agent: https.Agent;
  /** Baileys' `options.dispatcher`, and the dispatcher of every fetch for the tenant. */
  readonly dispatcher: Dispatcher;
  policy: EgressPolicy;
  /**
   * Takes effect for the next request. Switching to `tunnel-only` also ends
   * the tenant's open direct connections to WhatsApp with `no_peer`.
   */
  setPolicy(policy: EgressPolicy): void;
  /** The tenant's primary peer as its tunnel reports it; null without a tunnel or peer. */
  readonly peer: PeerView | null;
  readonly closed: boolean;
  /** The tunnel route, once attached. */
  readonly tunnel: TunnelAttachment | undefined;
  /** Adds the tunnel route (a second attachment replaces the first). */
  attachTunnel(tunnel: TunnelAttachment): void;
  /** Removes that tunnel route; later requests go direct (or are refused under tunnel-only). */
  detachTunnel(tunnel: TunnelAttachment): void;
  /** Settled exchanges, WebSocket route changes, policy changes, close. */
  readonly events: EventEmitter<EgressEvents>;
  /** This tenant's audit counters. */
  stats(): AuditCounters;
  /** Requests, failures by code, fallbacks and bytes, per route. */
  routeCounters(): RouteCounterSet;
  /** What is in flight now: HTTP exchanges per route and the WebSocket. */
  activity(): EgressActivity;
  /** Ends every connection of the tenant with `egress_closed`. */
  close(): Promise<void>;
}

/** Builds a tenant's egress; a bad option throws `EgressConfigError` naming it. */
export function createEgress(options: EgressOptions): TenantEgress {
  if (!isTenantId(options.tenant)) {
    throw new EgressConfigError('tenant', `${JSON.stringify(options.tenant)} is not a tenant id`);
  }
  const production = options.production ?? productionDefault();
  const policy = parsePolicy(options.policy, 'policy');
  const hostMap = checkHostMap(options.hostMap, production, 'hostMap');
  const secureContext = secureContextFor(options.ca, 'ca');
  const deadlines = checkDeadlines(options.deadlines, 'deadlines');
  return new Egress({
    tenant: options.tenant,
    policy,
    audit: options.audit ?? getProcessAudit(),
    logger: options.logger ?? SILENT_LOGGER,
    connector: { hostMap, secureContext, connectTimeoutMs: deadlines.connectTimeoutMs },
    deadlines,
  });
}
