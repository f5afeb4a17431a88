/**
 * The one error catalogue of the product. Every failure that crosses a hop
 * (worker, room, peer) is named here by a stable string code, so logs,
 * metrics, close frames and the worker's API all speak the same words.
 */

/** Who caused a failure: the caller's input or the system's own state. */
export type ErrorCause = 'user' | 'system';

export interface ErrorSpec {
  /** One line, shown to operators and sent in error frames. */
  readonly meaning: string;
  readonly cause: ErrorCause;
  /**
   * Whether a request that failed this way may be sent again on the other
   * route. Only requests that are themselves safe to repeat (see the replay
   * rules in PROTOCOL.md) are ever retried; `false` forbids it for all.
   */
  readonly retrySafe: boolean;
  /** WebSocket close code used when this error ends a connection. */
  readonly closeCode: number;
}

// Close codes live in the 4000-4999 range that RFC 6455, section 7.4.2,
// reserves for applications; the tens digit groups them by hop.
export const ERROR_CATALOGUE = {
  version_mismatch: {
    meaning: 'The other side speaks a protocol version this side does not.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4001,
  },
  bad_frame: {
    meaning: 'A frame could not be decoded or broke a protocol rule.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4002,
  },
  frame_too_large: {
    meaning: 'A frame exceeded the maximum frame size agreed at the handshake.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4003,
  },
  unknown_stream: {
    meaning: 'A frame named a stream that is not open on this connection.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4004,
  },
  handshake_required: {
    meaning: 'The first frame on a connection must be the handshake.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4005,
  },
  not_found: {
    meaning: 'No such route, room or resource.',
    cause: 'user',
    retrySafe: false,
    closeCode: 4006,
  },
  auth_missing: {
    meaning: 'No token was presented.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4010,
  },
  auth_malformed: {
    meaning: 'The token is not in the expected format.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4011,
  },
  auth_expired: {
    meaning: 'The token has expired; fetch a fresh one.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4012,
  },
  auth_not_yet_valid: {
    meaning: 'The token was issued in the future beyond the allowed clock skew.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4013,
  },
  auth_wrong_tenant: {
    meaning: 'The token belongs to another tenant.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4014,
  },
  auth_wrong_role: {
    meaning: 'The token is for a role that may not do this.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4015,
  },
  auth_bad_signature: {
    meaning: 'The token signature does not verify.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4016,
  },
  auth_unknown_key: {
    meaning: 'The token was signed with a key id this side does not know.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4017,
  },
  auth_stale_epoch: {
    meaning: 'The worker lease epoch is lower than one the room has seen.',
    cause: 'user',
    retrySafe: false,
    closeCode: 4018,
  },
  replaced: {
    meaning: 'A newer connection for the same tenant and role replaced this one.',
    cause: 'system',
    retrySafe: false,
    closeCode: 4020,
  },
  no_peer: {
    meaning: 'No healthy peer can carry this traffic for the tenant.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4030,
  },
  peer_gone: {
    meaning: 'The peer carrying this stream left before it finished.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4031,
  },
  peer_timeout: {
    meaning: 'The peer stopped answering pings.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4032,
  },
  peer_paused: {
    meaning: 'Staff paused relaying in this peer.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4033,
  },
  host_not_allowed: {
    meaning: 'The target is not a WhatsApp host, or resolves to a private address.',
    cause: 'user',
    retrySafe: false,
    closeCode: 4040,
  },
  browser_cors: {
    meaning: 'The browser refused to expose the response under CORS.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4041,
  },
  browser_network: {
    meaning: 'The peer could not reach the upstream host (network failure).',
    cause: 'system',
    retrySafe: true,
    closeCode: 4042,
  },
  upstream_refused: {
    meaning: 'The upstream refused the WebSocket upgrade.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4043,
  },
  upstream_timeout: {
    meaning: 'The whole exchange did not finish within its deadline.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4050,
  },
  outcome_unknown: {
    meaning: 'The request may have reached the upstream; it must not be sent again.',
    cause: 'system',
    retrySafe: false,
    closeCode: 4051,
  },
  cancelled: {
    meaning: 'The sender gave up on the stream because its own client went away.',
    cause: 'user',
    retrySafe: false,
    closeCode: 4052,
  },
  flow_control: {
    meaning: 'A sender exceeded the credit the receiver granted.',
    cause: 'user',
    retrySafe: true,
    closeCode: 4060,
  },
  too_many_streams: {
    meaning: 'The tenant already has the maximum number of open streams.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4061,
  },
  too_many_peers: {
    meaning: 'The room already holds the maximum number of peers for the tenant.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4062,
  },
  body_too_large: {
    meaning: 'The request body is larger than this peer can hold; it cannot stream it here.',
    cause: 'system',
    retrySafe: true,
    closeCode: 4063,
  },
  config_invalid: {
    meaning: 'This hop is missing configuration or has an invalid value; an operator must fix it.',
    cause: 'system',
    retrySafe: false,
    closeCode: 4098,
  },
  internal: {
    meaning: 'An unexpected fault inside this hop.',
    cause: 'system',
    retrySafe: false,
    closeCode: 4099,
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOGUE, value);
}

/** Context an error carries; never a token, a key or a URL's query. */
export interface ErrorContext {
  tenant?: string;
  streamId?: number;
  connectionId?: number;
  host?: string;
  [key: string]: string | number | boolean | undefined;
}

/** The only error the protocol package throws. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ErrorCode;
  readonly context: ErrorContext;

  constructor(code: ErrorCode, detail?: string, context: ErrorContext = {}) {
    const spec = ERROR_CATALOGUE[code];
    super(detail ? `${code}: ${detail}` : `${code}: ${spec.meaning}`);
    this.code = code;
    this.context = context;
  }

  get spec(): ErrorSpec {
    return ERROR_CATALOGUE[this.code];
  }

  get closeCode(): number {
    return ERROR_CATALOGUE[this.code].closeCode;
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}

/** Maps an application close code back to its catalogue code, if any. */
export function errorCodeForClose(closeCode: number): ErrorCode | undefined {
  return ERROR_CODES.find((code) => ERROR_CATALOGUE[code].closeCode === closeCode);
}
