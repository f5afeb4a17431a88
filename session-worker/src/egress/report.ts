import { isReplaySafe } from './classify.js';
import type { EgressError } from './errors.js';
import type { Exchange } from './exchange.js';
import { describeTarget, targetName } from './target.js';
import type { Target } from './target.js';
import type { ExchangeReport, WebSocketActivity } from './tunnel-attachment.js';

/** One settled exchange as the egress reports it: never the query (media URLs carry `auth`). */
export function exchangeReport(
  tenant: string,
  exchange: Exchange,
  error: EgressError | undefined,
  handedOff: boolean,
): ExchangeReport {
  const queryAt = exchange.path.indexOf('?');
  return {
    tenant,
    route: exchange.route,
    leg: exchange.leg,
    method: exchange.method,
    host: targetName(exchange.target),
    path: queryAt === -1 ? exchange.path : exchange.path.slice(0, queryAt),
    status: exchange.status,
    durationMs: Date.now() - exchange.startedAt,
    ...(error ? { code: error.code } : {}),
    handedOff,
    reason: exchange.reason,
    ...(exchange.previous ? { previous: exchange.previous } : {}),
    bytesSent: exchange.bytesSent,
    bytesReceived: exchange.bytesReceived,
  };
}

/** The fields of the one debug line each exchange writes. */
export function reportLine(exchange: Exchange, report: ExchangeReport): Record<string, unknown> {
  return {
    route: report.route,
    method: report.method,
    url: describeTarget(exchange.target, exchange.path),
    status: report.status,
    durationMs: report.durationMs,
    code: report.code,
    fallbackReason: report.previous,
    reason: report.reason,
  };
}

export function websocketActivity(exchange: Exchange | undefined): WebSocketActivity | null {
  if (!exchange) return null;
  return {
    route: exchange.route,
    reason: exchange.reason,
    established: exchange.established,
    openedAt: exchange.startedAt,
    lastSentAt: exchange.lastSentAt,
    lastReceivedAt: exchange.lastReceivedAt,
  };
}

export function replaySafeFor(method: string, target: Target, path: string): boolean {
  try {
    return isReplaySafe(method, new URL(path, `https://${targetName(target)}`), target.whatsapp);
  } catch {
    return false;
  }
}
