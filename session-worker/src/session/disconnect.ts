import type { SessionConfig } from './config.js';

/**
 * What to do when a Baileys socket closes: one pure function over the
 * status code, the phase the socket was in and the recent reconnect history.
 * Codes and their meaning are Baileys 7.0.0-rc14's `DisconnectReason`.
 */

/** The close as Baileys reported it in `connection.update`. */
export interface DisconnectInfo {
  /** `lastDisconnect.error.output.statusCode`; undefined when there is no Boom to read. */
  readonly statusCode: number | undefined;
  readonly message: string | undefined;
  /** Baileys ran out of QR refs: the pairing QR expired without being scanned. */
  readonly qrExpired: boolean;
  /** No error at all: the socket was ended on purpose (`sock.end(undefined)`). */
  readonly intentional: boolean;
}

/** rc14 ends the QR phase with this Boom (408) once every ref has been shown. */
export const QR_EXPIRED_MESSAGE = 'QR refs attempts ended';

/**
 * Reads a close from the level Baileys puts it: `lastDisconnect.error` is a
 * Boom whose code is `output.statusCode` (openclaw/openclaw#33961 read it
 * one level off and restarted on stale creds). A plain Error has no code.
 */
export function readDisconnect(
  lastDisconnect: { readonly error?: unknown } | undefined,
): DisconnectInfo {
  const error = lastDisconnect?.error;
  if (error === undefined || error === null) {
    return { statusCode: undefined, message: undefined, qrExpired: false, intentional: true };
  }
  const output = (error as { output?: { statusCode?: unknown } }).output;
  const code = output?.statusCode;
  const statusCode = typeof code === 'number' && Number.isInteger(code) ? code : undefined;
  const message = error instanceof Error ? error.message : undefined;
  return {
    statusCode,
    message,
    qrExpired: statusCode === 408 && message === QR_EXPIRED_MESSAGE,
    intentional: false,
  };
}

/** Where the closed socket was: opening, showing a pairing QR, or logged in. */
export type SessionPhase = 'connecting' | 'qr' | 'open';

export type DisconnectReason =
  | 'restart_required'
  | 'replaced'
  | 'logged_out'
  | 'forbidden'
  | 'multidevice_mismatch'
  | 'connection_lost'
  | 'connection_closed'
  | 'bad_session'
  | 'unavailable'
  | 'qr_expired'
  | 'unknown'
  | 'intentional';

export interface DisconnectContext {
  readonly phase: SessionPhase;
  /** Reconnects since the last time the session was open (0 for the first). */
  readonly attempt: number;
  /** Reconnects within `loopWindowMs` before this close. */
  readonly recentReconnects: number;
  /** A value in [0, 1) for jitter; `Math.random()` in production. */
  readonly random: number;
}

export type DisconnectDecision =
  | {
      /** Build a new socket after `delayMs`, with the saved creds. */
      readonly action: 'reconnect';
      readonly reason: DisconnectReason;
      readonly statusCode: number | undefined;
      readonly delayMs: number;
      /** Flush pending creds writes before the new socket loads them (515 after pairing). */
      readonly flushCreds: boolean;
      /** The next socket registers anew (new QR refs) rather than logging in. */
      readonly registration: boolean;
      /** Too many reconnects in the window: the delay is the loop delay, and health says so. */
      readonly loop: boolean;
    }
  | {
      /** Logged out: clear creds and keys, then start again for a new QR after `delayMs`. */
      readonly action: 'logout';
      readonly reason: 'logged_out';
      readonly statusCode: number;
      readonly delayMs: number;
      readonly loop: boolean;
    }
  | {
      /** Stop for good, in `status`; never reconnect on our own. */
      readonly action: 'stop';
      readonly reason: DisconnectReason;
      readonly statusCode: number | undefined;
      readonly status: 'replaced' | 'failed' | 'stopped';
      /** Needs a person: raise an alert. */
      readonly alert: boolean;
    }
  | { readonly action: 'none'; readonly reason: 'intentional'; readonly statusCode: undefined };

type Rules = Pick<
  SessionConfig,
  'backoffBaseMs' | 'backoffMaxMs' | 'backoffJitter' | 'loopThreshold' | 'loopBackoffMs'
>;

const RETRIED: Readonly<Record<number, DisconnectReason>> = {
  408: 'connection_lost',
  428: 'connection_closed',
  500: 'bad_session',
  503: 'unavailable',
};

/** The rule for every close. */
export function decideDisconnect(
  info: DisconnectInfo,
  context: DisconnectContext,
  rules: Rules,
): DisconnectDecision {
  const { statusCode } = info;
  if (info.intentional) return { action: 'none', reason: 'intentional', statusCode: undefined };
  const loop = context.recentReconnects + 1 >= rules.loopThreshold;
  const stop = (
    reason: DisconnectReason,
    status: 'replaced' | 'failed' | 'stopped',
    alert: boolean,
  ) => ({ action: 'stop', reason, statusCode, status, alert }) as const;

  switch (statusCode) {
    // Another socket logged in with these creds. Reconnecting would evict it
    // and start the 440 loop (enudler/nudlers#105): stop and report.
    case 440:
      return stop('replaced', 'replaced', false);
    case 403:
      return stop('forbidden', 'failed', true);
    case 411:
      return stop('multidevice_mismatch', 'failed', true);
    case 401:
      return {
        action: 'logout',
        reason: 'logged_out',
        statusCode,
        delayMs: loop ? loopDelay(rules, context.random) : 0,
        loop,
      };
    // Normal right after pairing: the new creds must be saved first.
    case 515:
      return {
        action: 'reconnect',
        reason: 'restart_required',
        statusCode,
        delayMs: loop ? loopDelay(rules, context.random) : 0,
        flushCreds: true,
        registration: false,
        loop,
      };
  }
  if (info.qrExpired && context.phase === 'qr') return stop('qr_expired', 'stopped', false);
  // Any other close, in the QR phase included (OpenWA#1591 counted those as
  // expiries and re-registered every second): back off, and harder in a loop.
  const delay = backoffDelay(context.attempt, rules, context.random);
  return {
    action: 'reconnect',
    reason: (statusCode !== undefined && RETRIED[statusCode]) || 'unknown',
    statusCode,
    delayMs: loop ? Math.max(delay, loopDelay(rules, context.random)) : delay,
    flushCreds: false,
    registration: context.phase === 'qr',
    loop,
  };
}

/**
 * Exponential backoff, capped, with a random share of up to `backoffJitter`
 * taken off so tenants that dropped together do not return together.
 */
export function backoffDelay(attempt: number, rules: Rules, random: number): number {
  const raw = Math.min(rules.backoffMaxMs, rules.backoffBaseMs * 2 ** Math.min(attempt, 30));
  return Math.round(raw * (1 - rules.backoffJitter * random));
}

function loopDelay(rules: Rules, random: number): number {
  return Math.round(rules.loopBackoffMs * (1 - rules.backoffJitter * random));
}
