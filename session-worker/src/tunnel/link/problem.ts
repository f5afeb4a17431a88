import { isErrorCode } from '@pasarela/shared';

/** Why a tenant's room link is not open, as its health reports it. */
export interface LinkProblem {
  /**
   * A stable code: an errno (`ECONNREFUSED`), `connect_timeout`, `http_<status>`, or a catalogue
   * code.
   */
  readonly code: string;
  /** A short phrase for people: `room unreachable`, `room refused the worker`, ... */
  readonly reason: string;
}

const LOOKUP_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);

/**
 * Names a failure to reach the room from what `ws` and partysocket report:
 * the socket error's errno, partysocket's connect timeout (`TIMEOUT`), or an
 * HTTP answer instead of an upgrade. Every one of them means the room is
 * unreachable; the code says how.
 */
export function socketProblem(error: unknown, message: string | undefined): LinkProblem {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const text = message ?? (error instanceof Error ? error.message : '');
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) {
    return {
      code,
      reason: LOOKUP_CODES.has(code) ? 'room unreachable (name not resolved)' : 'room unreachable',
    };
  }
  if (text === 'TIMEOUT') return { code: 'connect_timeout', reason: 'room unreachable' };
  const status = /Unexpected server response: (\d{3})/.exec(text)?.[1];
  if (status) return { code: `http_${status}`, reason: 'room unreachable' };
  return { code: 'socket_error', reason: 'room unreachable' };
}

/** Catalogue codes after which this worker must not try again: another one owns the tenant. */
const FENCED = new Set(['replaced', 'auth_stale_epoch']);

/** Catalogue codes that an operator must fix; retried at the slowest pace. */
const MISCONFIGURED = new Set([
  'auth_unknown_key',
  'auth_bad_signature',
  'auth_malformed',
  'auth_wrong_role',
  'auth_wrong_tenant',
  'config_invalid',
  'version_mismatch',
  'not_found',
]);

export type RefusalKind = 'fenced' | 'misconfigured' | 'transient';

/** What the room's Error frame means for this link. */
export function refusalKind(code: string): RefusalKind {
  if (FENCED.has(code)) return 'fenced';
  if (MISCONFIGURED.has(code) || !isErrorCode(code)) return 'misconfigured';
  return 'transient';
}

export function refusalProblem(code: string): LinkProblem {
  switch (refusalKind(code)) {
    case 'fenced':
      return { code, reason: 'another worker holds this tenant' };
    case 'misconfigured':
      return { code, reason: 'room refused the worker (configuration)' };
    default:
      return { code, reason: 'room refused the worker' };
  }
}
