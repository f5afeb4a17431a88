/**
 * The tenant egress: every connection a tenant's WhatsApp session makes
 * passes through its egress, which decides the route, opens the real
 * connection and records it. See README.md beside this file.
 */
export { createEgress } from './egress.js';
export type { EgressOptions, TenantEgress } from './egress.js';
export type { HostMap, MappedAddress } from './host-map.js';
export { compileHostMap, CompiledHostMap } from './host-map.js';
export { installProcessGuards } from './guards/index.js';
export type { ProcessGuardOptions, ProcessGuards } from './guards/index.js';
export { validateEgressConfig, parsePolicy } from './config.js';
export type { EgressConfig, EgressConfigInput, EgressSettingNames } from './config.js';
export { EgressAudit, getProcessAudit } from './audit.js';
export type {
  AuditCounters,
  AuditInput,
  AuditRecord,
  AuditSnapshot,
  AuditSource,
  UnattributedCounters,
} from './audit.js';
export { decideRoute, peerAvailability } from './route.js';
export type {
  DirectReason,
  PeerAvailability,
  PeerView,
  Route,
  RouteDecision,
  RouteQuery,
} from './route.js';
export { isLeak } from './leak.js';
export type { LeakQuery } from './leak.js';
export { legOf, isBrowserRelayable, isReplaySafe } from './classify.js';
export { EGRESS_DEFAULTS } from './defaults.js';
export { exchangeBudgetMs, ExchangeDeadline } from './deadline.js';
export { forwardableHeaders, contentLength } from './classify.js';
export { describeTarget, targetName } from './target.js';
export type { Target } from './target.js';
export { Exchange, HttpExchange, UpgradeExchange } from './exchange.js';
export type { RouteCarrier, RouteFailure } from './exchange.js';
export type {
  EgressActivity,
  EgressEvents,
  ExchangeReport,
  TunnelAttachment,
  WebSocketActivity,
} from './tunnel-attachment.js';
export { copyRouteCounters, countExchange, emptyRouteCounters } from './counters.js';
export type { RouteCounters, RouteCounterSet } from './counters.js';
export type { EgressDeadlines, GuardMode } from './defaults.js';
export {
  EGRESS_ERROR_CATALOGUE,
  EgressConfigError,
  EgressError,
  egressErrorSpec,
  isEgressError,
} from './errors.js';
export type { EgressErrorCode, EgressOnlyCode } from './errors.js';
export type { EgressLogger } from './logger.js';
