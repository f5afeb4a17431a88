import { ruleRefuses, type HostFaults } from '../faults.js';

/**
 * The media CDN answers every origin with a wildcard. A wildcard is valid
 * only for requests without credentials, so a browser refuses a
 * credentialed read of the same response and allows an uncredentialed one.
 */
export function corsHeaders(refused: boolean): Record<string, string> {
  return refused ? {} : { 'access-control-allow-origin': '*' };
}

export interface PreflightAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Which fault refused it, if one did. */
  readonly refusedBy: string | null;
}

/**
 * Answers a CORS preflight. A host fault may refuse it outright (all
 * origins, or those other than WhatsApp Web's own), answering with an error
 * status; the account's `refuseCors` fault answers without any allow header.
 */
export function answerPreflight(
  origin: string | null,
  requestedHeaders: string | null,
  host: HostFaults,
  refuseCors: boolean,
): PreflightAnswer {
  if (ruleRefuses(host.refusePreflights, origin)) {
    return { status: host.refusalStatus, headers: {}, refusedBy: 'host:refusePreflights' };
  }
  if (refuseCors) return { status: 204, headers: {}, refusedBy: 'account:refuseCors' };
  const headers: Record<string, string> = {
    ...corsHeaders(false),
    'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
    'access-control-max-age': '86400',
  };
  if (requestedHeaders !== null) headers['access-control-allow-headers'] = requestedHeaders;
  return { status: 204, headers, refusedBy: null };
}
