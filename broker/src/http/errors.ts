import { isProtocolError, ProtocolError, redactTokens } from '@pasarela/shared';
import type { ErrorCode } from '@pasarela/shared';

/** HTTP status for each code an HTTP route can answer with. */
export function statusFor(code: ErrorCode): 400 | 401 | 403 | 404 | 500 | 503 {
  switch (code) {
    case 'auth_missing':
    case 'auth_malformed':
    case 'auth_expired':
    case 'auth_not_yet_valid':
    case 'auth_bad_signature':
    case 'auth_unknown_key':
      return 401;
    case 'auth_wrong_tenant':
    case 'auth_wrong_role':
      return 403;
    case 'not_found':
      return 404;
    case 'config_invalid':
    case 'internal':
      return 500;
    case 'no_peer':
      return 503;
    default:
      return 400;
  }
}

export interface ErrorBodyJson {
  error: { code: ErrorCode; message: string };
}

/** `{ "error": { "code", "message" } }`; the message never carries a token. */
export function errorResponse(error: unknown): Response {
  const problem = isProtocolError(error)
    ? error
    : new ProtocolError('internal', 'the request could not be served');
  const message = redactTokens(problem.message);
  const body: ErrorBodyJson = { error: { code: problem.code, message } };
  return new Response(JSON.stringify(body), {
    status: statusFor(problem.code),
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });
}

export function jsonResponse(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  });
}

/** The admin token: `Authorization: Bearer …`, or `?token=` for the browser dashboard. */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  if (match) return match[1] ?? null;
  return new URL(request.url).searchParams.get('token');
}
