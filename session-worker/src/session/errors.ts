/**
 * Errors of the session rules: configuration and the status machine.
 * Codes are stable; the API and logs use them as they are.
 */
export const SESSION_ERRORS = {
  config_invalid: {
    meaning: 'A session setting is missing, out of range or inconsistent with another.',
    cause: 'user',
  },
  illegal_transition: {
    meaning: 'The session status machine refused a transition its table does not allow.',
    cause: 'system',
  },
  invalid_tenant: {
    meaning: 'The tenant id is not a valid tenant slug.',
    cause: 'user',
  },
  invalid_phone: {
    meaning: 'The phone number is not 7 to 15 digits in international form.',
    cause: 'user',
  },
  session_not_held: {
    meaning: 'This worker does not hold the tenant’s lease; another replica runs it, or none yet.',
    cause: 'system',
  },
  session_not_running: {
    meaning: 'The operation needs a session that runs on this worker; start it first.',
    cause: 'user',
  },
  session_not_connected: {
    meaning: 'The operation needs a connected session.',
    cause: 'user',
  },
  already_paired: {
    meaning: 'The tenant is paired already; log it out before pairing it again.',
    cause: 'user',
  },
  no_qr: {
    meaning: 'No pairing QR is shown right now.',
    cause: 'user',
  },
  pairing_timeout: {
    meaning: 'The registration socket did not become ready for a pairing code in time.',
    cause: 'system',
  },
  shutting_down: {
    meaning: 'The session manager is shutting down and takes no new work.',
    cause: 'system',
  },
} as const satisfies Record<string, { meaning: string; cause: 'user' | 'system' }>;

export type SessionErrorCode = keyof typeof SESSION_ERRORS;

export type SessionErrorContext = Record<string, string | number | boolean | undefined>;

export class SessionError extends Error {
  override readonly name = 'SessionError';
  readonly code: SessionErrorCode;
  readonly context: SessionErrorContext;

  constructor(code: SessionErrorCode, detail: string, context: SessionErrorContext = {}) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.context = context;
  }
}
