import { z } from 'zod';
import { SessionError } from './errors.js';

/**
 * Every tunable of sessions, leases and reconnects, in one place. Durations
 * are milliseconds. `parseSessionConfig` checks a whole configuration at
 * start-up and names the first bad field.
 */
export const SESSION_DEFAULTS = Object.freeze({
  /** How long a lease stays valid after its last renewal. */
  leaseDurationMs: 15_000,
  /** How often a replica renews its leases, heartbeats and rebalances. */
  leaseRenewIntervalMs: 3_000,
  /**
   * The promise made to operators: a dead replica's tenants run elsewhere
   * within this long. A lease expires at most `leaseDurationMs` after the
   * dead replica's last renewal and a live replica notices on its next tick,
   * so the bound must cover the lease plus two ticks.
   */
  takeoverBoundMs: 21_000,
  /** How long a holder may take to stop a tenant before its lease is let expire. */
  revokeTimeoutMs: 10_000,
  /** How long a second worker waits for the SQLite file lock before it gives up. */
  sqliteLockWaitMs: 30_000,
  /** How often that waiting worker tries the lock again. */
  sqliteLockPollMs: 250,
  /** First reconnect delay; doubled on each further attempt. */
  backoffBaseMs: 1_000,
  /** Largest reconnect delay outside a loop. */
  backoffMaxMs: 60_000,
  /** Fraction of each delay taken off at random, so tenants do not reconnect in step. */
  backoffJitter: 0.2,
  /** Window in which reconnects are counted for loop detection. */
  loopWindowMs: 60_000,
  /** Reconnects within the window that raise the loop flag. */
  loopThreshold: 5,
  /** Smallest delay before a reconnect while the loop flag is up. */
  loopBackoffMs: 120_000,
  /** Baileys' keepalive ping interval (its own default). */
  keepAliveIntervalMs: 30_000,
  /** Baileys' limit on the WebSocket handshake and the login (its own default). */
  connectTimeoutMs: 20_000,
  /** Baileys' limit on one query (its own default). */
  defaultQueryTimeoutMs: 60_000,
  /** How long each pairing QR is shown; 0 keeps Baileys' schedule (60 s, then 20 s each). */
  qrTimeoutMs: 0,
  /** How long a WhatsApp Web version read from `sw.js` is used before it is read again. */
  versionCacheTtlMs: 6 * 3_600_000,
  /** After a failed read of `sw.js`, how long the bundled version is used before trying again. */
  versionRetryMs: 60_000,
  /** Deadline of one read of `sw.js`, body included. */
  versionFetchTimeoutMs: 10_000,
  /**
   * How long an ended socket may take to close (`ws` waits up to 30 s for the
   * close handshake) before it is torn down, so a stop never hangs on a dead peer.
   */
  socketCloseTimeoutMs: 5_000,
  /** How long a pairing-code request waits for the registration socket to be ready. */
  pairingCodeWaitMs: 30_000,
});

export type SessionConfig = { -readonly [K in keyof typeof SESSION_DEFAULTS]: number };

const ms = () => z.number().int().positive();

const schema = z
  .strictObject({
    leaseDurationMs: ms(),
    leaseRenewIntervalMs: ms(),
    takeoverBoundMs: ms(),
    revokeTimeoutMs: ms(),
    sqliteLockWaitMs: z.number().int().min(0),
    sqliteLockPollMs: ms(),
    backoffBaseMs: ms(),
    backoffMaxMs: ms(),
    backoffJitter: z.number().min(0).max(1),
    loopWindowMs: ms(),
    loopThreshold: z.number().int().min(2),
    loopBackoffMs: ms(),
    keepAliveIntervalMs: ms(),
    connectTimeoutMs: ms(),
    defaultQueryTimeoutMs: ms(),
    qrTimeoutMs: z.number().int().min(0),
    versionCacheTtlMs: ms(),
    versionRetryMs: ms(),
    versionFetchTimeoutMs: ms(),
    socketCloseTimeoutMs: ms(),
    pairingCodeWaitMs: ms(),
  })
  .superRefine((c, ctx) => {
    const fail = (field: keyof SessionConfig, message: string) =>
      ctx.addIssue({ code: 'custom', path: [field], message });
    // Three renewals per lease: one late tick must never cost a lease.
    if (c.leaseRenewIntervalMs * 3 > c.leaseDurationMs) {
      fail('leaseRenewIntervalMs', 'must be at most a third of leaseDurationMs');
    }
    if (c.takeoverBoundMs < c.leaseDurationMs + 2 * c.leaseRenewIntervalMs) {
      fail('takeoverBoundMs', 'must be at least leaseDurationMs + 2 × leaseRenewIntervalMs');
    }
    if (c.backoffMaxMs < c.backoffBaseMs) {
      fail('backoffMaxMs', 'must be at least backoffBaseMs');
    }
    if (c.loopBackoffMs < c.backoffBaseMs) {
      fail('loopBackoffMs', 'must be at least backoffBaseMs');
    }
    if (c.versionRetryMs > c.versionCacheTtlMs) {
      fail('versionRetryMs', 'must be at most versionCacheTtlMs');
    }
  });

/** Merges `input` over the defaults and validates the result. */
export function parseSessionConfig(input: Partial<Record<string, unknown>> = {}): SessionConfig {
  const result = schema.safeParse({ ...SESSION_DEFAULTS, ...input });
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field =
    issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path.join('.') ?? '');
  throw new SessionError('config_invalid', `${field}: ${issue?.message ?? 'invalid'}`, { field });
}
