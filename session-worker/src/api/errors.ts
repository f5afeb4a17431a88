import { SESSION_ERRORS, SessionError } from '../session/index.js';
import { STORE_ERRORS, isStoreError } from '../store/index.js';
import { FETCH_ERRORS, FetchError } from '../messages/fetch-errors.js';
import { isEgressError } from '../egress/index.js';
import { scrubText } from '../ops/redact.js';
import { TokenRequestError } from '../tunnel/tokens.js';

type Cause = 'user' | 'system';

/**
 * The API's own error codes, each with its HTTP status, meaning and who
 * caused it. Session, store, egress and fetch errors keep their own codes
 * and get a status below. Every error answers
 * `{ "error": { "code", "message", "context" } }`.
 */
export const API_ERRORS = {
  auth_missing: { status: 401, cause: 'user', meaning: 'No API key was sent.' },
  auth_invalid: {
    status: 401,
    cause: 'user',
    meaning: 'The API key is not one the worker knows, or it was revoked.',
  },
  auth_wrong_tenant: {
    status: 403,
    cause: 'user',
    meaning: "The tenant key belongs to another tenant than the route's.",
  },
  admin_required: { status: 403, cause: 'user', meaning: 'The route needs the admin API key.' },
  invalid_request: {
    status: 400,
    cause: 'user',
    meaning: 'A parameter or body field is missing or invalid; `context.field` names it.',
  },
  invalid_json: { status: 400, cause: 'user', meaning: 'The body is not valid JSON.' },
  unsupported_media_type: {
    status: 415,
    cause: 'user',
    meaning: 'The body has a content type the route does not take.',
  },
  body_too_large: {
    status: 413,
    cause: 'user',
    meaning: 'The request body is larger than the configured limit.',
  },
  not_found: { status: 404, cause: 'user', meaning: 'No such route.' },
  tenant_not_found: { status: 404, cause: 'user', meaning: 'The worker knows no such tenant.' },
  webhook_not_found: { status: 404, cause: 'user', meaning: 'No such webhook.' },
  dead_letter_not_found: { status: 404, cause: 'user', meaning: 'No such dead letter.' },
  send_not_found: { status: 404, cause: 'user', meaning: 'No send has that idempotency key.' },
  message_not_found: {
    status: 404,
    cause: 'user',
    meaning: 'No received message has that id (or it is past its retention).',
  },
  not_media: { status: 422, cause: 'user', meaning: 'The message carries no media.' },
  media_host_not_allowed: {
    status: 422,
    cause: 'user',
    meaning: "The received message's media points at a host that is not WhatsApp's.",
  },
  media_download_failed: {
    status: 502,
    cause: 'system',
    meaning: 'The media could not be downloaded from WhatsApp.',
  },
  key_not_found: { status: 404, cause: 'user', meaning: 'No such API key for the tenant.' },
  idempotency_key_reused: {
    status: 422,
    cause: 'user',
    meaning: 'The idempotency key was used for a different request.',
  },
  send_in_progress: {
    status: 409,
    cause: 'user',
    meaning: 'A send with this idempotency key is still in progress; ask again shortly.',
  },
  outcome_unknown: {
    status: 502,
    cause: 'system',
    meaning:
      'The connection to WhatsApp closed before its ack: the message may ' +
      'or may not have been sent. It is never sent again under this key.',
  },
  upstream_rejected: {
    status: 502,
    cause: 'system',
    meaning: 'WhatsApp answered the message with an error.',
  },
  send_failed: {
    status: 502,
    cause: 'system',
    meaning: 'The message could not be prepared or written; nothing reached WhatsApp.',
  },
  invalid_ttl: {
    status: 400,
    cause: 'user',
    meaning: 'The token lifetime asked for is outside what the worker hands out.',
  },
  tunnel_not_configured: {
    status: 503,
    cause: 'system',
    meaning: 'The worker has no room configured (PASARELA_ROOM_URL): every tenant runs direct.',
  },
  tunnel_not_found: {
    status: 404,
    cause: 'user',
    meaning: 'The tenant has had no tunnel on this worker since it started.',
  },
  not_ready: { status: 503, cause: 'system', meaning: 'The worker is not ready.' },
  internal: { status: 500, cause: 'system', meaning: 'An unexpected error; see the worker log.' },
} as const satisfies Record<string, { status: number; cause: Cause; meaning: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export type ErrorContext = Record<string, string | number | boolean | null | undefined>;

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly code: ApiErrorCode,
    detail?: string,
    readonly context: ErrorContext = {},
    /** Extra top-level fields of the answer (a send record beside its error). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? API_ERRORS[code].meaning);
  }
}

const SESSION_STATUS: Partial<Record<keyof typeof SESSION_ERRORS, number>> = {
  invalid_tenant: 400,
  invalid_phone: 400,
  config_invalid: 400,
  session_not_held: 409,
  session_not_running: 409,
  session_not_connected: 409,
  already_paired: 409,
  no_qr: 404,
  pairing_timeout: 504,
  shutting_down: 503,
};

export interface ErrorAnswer {
  readonly status: number;
  readonly body: { error: { code: string; message: string; context: ErrorContext } } & Record<
    string,
    unknown
  >;
}

/** The answer for any error thrown by a route: its code, status and a scrubbed message. */
export function errorAnswer(error: unknown): ErrorAnswer {
  const answer = (status: number, code: string, message: string, context: object = {}) => ({
    status,
    body: { error: { code, message: scrubText(message), context: context as ErrorContext } },
  });
  if (error instanceof ApiError) {
    const base = answer(API_ERRORS[error.code].status, error.code, error.message, error.context);
    return { status: base.status, body: { ...base.body, ...error.extra } };
  }
  if (error instanceof SessionError) {
    return answer(SESSION_STATUS[error.code] ?? 500, error.code, error.message, error.context);
  }
  if (error instanceof TokenRequestError) {
    return answer(400, error.code, error.message);
  }
  if (error instanceof FetchError) {
    return answer(FETCH_ERRORS[error.code].status, error.code, error.message, error.context);
  }
  if (isStoreError(error)) {
    const user = STORE_ERRORS[error.code].cause === 'user';
    return answer(user ? 422 : 503, error.code, error.message, error.context ?? {});
  }
  if (isEgressError(error)) {
    return answer(502, error.code, error.message, {});
  }
  return answer(500, 'internal', API_ERRORS.internal.meaning);
}

/** Every code an answer may carry, for the OpenAPI document. */
export function allErrorCodes(): string[] {
  return [
    ...Object.keys(API_ERRORS),
    ...Object.keys(SESSION_ERRORS),
    ...Object.keys(STORE_ERRORS),
    ...Object.keys(FETCH_ERRORS),
  ].sort();
}
