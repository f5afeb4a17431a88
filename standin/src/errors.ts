/**
 * The stand-in's error catalogue. Each code has an HTTP status for the
 * control API and says whether the caller (a test, a person) or the
 * stand-in itself caused it.
 */
export const STANDIN_ERRORS = {
  bad_option: { status: 400, cause: 'caller', meaning: 'a start-up option is invalid' },
  bad_request: { status: 400, cause: 'caller', meaning: 'a control request body is invalid' },
  not_found: { status: 404, cause: 'caller', meaning: 'no such control route' },
  account_unknown: { status: 404, cause: 'caller', meaning: 'no account with that phone number' },
  contact_unknown: { status: 404, cause: 'caller', meaning: 'no contact with that phone number' },
  qr_malformed: { status: 400, cause: 'caller', meaning: 'the QR string is not a pairing QR' },
  qr_unknown_ref: {
    status: 404,
    cause: 'caller',
    meaning: 'no open registration handed out that QR ref',
  },
  qr_expired: { status: 410, cause: 'caller', meaning: 'the QR ref is past its lifetime' },
  qr_key_mismatch: {
    status: 409,
    cause: 'caller',
    meaning: "the QR's noise key is not the key of the registering connection",
  },
  link_code_no_pending: {
    status: 404,
    cause: 'caller',
    meaning: 'no connection asked for a pairing code for that phone number',
  },
  link_code_mismatch: {
    status: 409,
    cause: 'caller',
    meaning: 'the code typed on the phone is not the code the companion shows',
  },
  pairing_failed: {
    status: 502,
    cause: 'system',
    meaning: 'the companion did not complete pairing (closed, timed out or sent a bad reply)',
  },
  media_store_full: {
    status: 507,
    cause: 'system',
    meaning: 'the media store reached its byte limit',
  },
} as const;

export type StandinErrorCode = keyof typeof STANDIN_ERRORS;

export class StandinError extends Error {
  override readonly name = 'StandinError';
  readonly code: StandinErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: StandinErrorCode, message: string, context: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.code = code;
    this.context = context;
  }

  get status(): number {
    return STANDIN_ERRORS[this.code].status;
  }
}
