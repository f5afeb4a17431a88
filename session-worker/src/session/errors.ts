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
