import type { Route } from './route.js';

/** What one route carried for a tenant: HTTP exchanges and WebSockets alike. */
export interface RouteCounters {
  /** Exchanges the route took on. */
  requests: number;
  /** Finished without an error (any HTTP status). */
  succeeded: number;
  /** Ended by an error, by catalogue code (fallbacks included). */
  failed: Record<string, number>;
  /** Given up early and handed to the other route under the replay rules. */
  fallbacks: number;
  /** Body and WebSocket bytes toward the upstream, and from it. */
  bytesSent: number;
  bytesReceived: number;
}

export type RouteCounterSet = Record<Route, RouteCounters>;

export function emptyRouteCounters(): RouteCounters {
  return { requests: 0, succeeded: 0, failed: {}, fallbacks: 0, bytesSent: 0, bytesReceived: 0 };
}

export function copyRouteCounters(set: RouteCounterSet): RouteCounterSet {
  return {
    direct: { ...set.direct, failed: { ...set.direct.failed } },
    tunnel: { ...set.tunnel, failed: { ...set.tunnel.failed } },
  };
}

export interface SettledExchange {
  readonly route: Route;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  readonly code?: string;
  readonly handedOff: boolean;
}

/** Counts one settled exchange on its route. */
export function countExchange(set: RouteCounterSet, exchange: SettledExchange): void {
  const counters = set[exchange.route];
  counters.requests += 1;
  counters.bytesSent += exchange.bytesSent;
  counters.bytesReceived += exchange.bytesReceived;
  if (exchange.code !== undefined) {
    counters.failed[exchange.code] = (counters.failed[exchange.code] ?? 0) + 1;
  } else if (!exchange.handedOff) {
    counters.succeeded += 1;
  }
  if (exchange.handedOff) counters.fallbacks += 1;
}
