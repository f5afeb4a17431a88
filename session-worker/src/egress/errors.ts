import { ERROR_CATALOGUE, isErrorCode } from '@pasarela/shared';
import type { ErrorCode, ErrorContext, ErrorSpec } from '@pasarela/shared';

/**
 * Codes only the egress raises, in the shape of the shared catalogue. They
 * take close codes 4070-4079, a range the shared catalogue leaves free.
 */
export const EGRESS_ERROR_CATALOGUE = {
  tenant_missing: {
    meaning: 'A WhatsApp-bound connection carried no tenant; the process guards refused it.',
    cause: 'system',
    retrySafe: false,
    closeCode: 4070,
  },
  upstream_unreachable: {
    meaning: 'The egress could not open the connection (name lookup, TCP or TLS failed).',
    cause: 'system',
    retrySafe: true,
    closeCode: 4071,
  },
  upstream_reset: {
    meaning: 'The upstream connection broke before the exchange finished.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4072,
  },
  egress_closed: {
    meaning: 'The tenant egress was closed while this connection was open.',
    cause: 'system',
    retrySafe: false,
    closeCode: 4073,
  },
  tunnel_lost: {
    meaning: "The link to the tenant's room closed while the stream was open.",
    cause: 'system',
    retrySafe: true,
    closeCode: 4074,
  },
  opaque_redirect: {
    meaning: 'The peer met a redirect a browser may not follow; the request goes direct.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4075,
  },
} as const satisfies Record<string, ErrorSpec>;

export type EgressOnlyCode = keyof typeof EGRESS_ERROR_CATALOGUE;
export type EgressErrorCode = ErrorCode | EgressOnlyCode;

export function egressErrorSpec(code: EgressErrorCode): ErrorSpec {
  return isErrorCode(code) ? ERROR_CATALOGUE[code] : EGRESS_ERROR_CATALOGUE[code];
}

/**
 * The error every egress failure surfaces as. A client of either face sees
 * it as the socket error (`ws` and `https.request` emit it, `fetch` rejects
 * with it as the `cause`). Messages and context name the host and path,
 * never a query string: media URLs carry an `auth` parameter.
 */
export class EgressError extends Error {
  override readonly name = 'EgressError';
  readonly code: EgressErrorCode;
  readonly context: ErrorContext;

  constructor(
    code: EgressErrorCode,
    detail?: string,
    context: ErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(detail ? `${code}: ${detail}` : `${code}: ${egressErrorSpec(code).meaning}`, options);
    this.code = code;
    this.context = context;
  }

  get spec(): ErrorSpec {
    return egressErrorSpec(this.code);
  }

  get closeCode(): number {
    return egressErrorSpec(this.code).closeCode;
  }
}

export function isEgressError(value: unknown): value is EgressError {
  return value instanceof EgressError;
}

/**
 * A setting that cannot work, found at start-up. `setting` names it as the
 * caller spelled it (an option name or an environment variable).
 */
export class EgressConfigError extends Error {
  override readonly name = 'EgressConfigError';
  readonly code = 'config_invalid' as const;
  readonly setting: string;

  constructor(setting: string, detail: string, options?: { cause?: unknown }) {
    super(`config_invalid: ${setting}: ${detail}`, options);
    this.setting = setting;
  }
}
