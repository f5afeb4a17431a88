import type { WAVersion } from '@whiskeysockets/baileys';
import type { DisconnectReason } from './disconnect.js';
import type { SessionStatus, SessionTransition, TransitionReason } from './state.js';

/** One tenant's session as the API, the events and the room's status frame report it. */
export interface SessionView {
  readonly tenant: string;
  readonly status: SessionStatus;
  /** When the current status began (epoch ms). */
  readonly since: number;
  /** Why the session entered its current status. */
  readonly reason: TransitionReason | null;
  /** Whether this worker holds the tenant's lease (only the holder runs it). */
  readonly held: boolean;
  /** The lease epoch this worker runs the tenant at; goes into the worker's room token. */
  readonly epoch: number | null;
  /** `creds.me.id` of the paired device once pairing finished, else null. */
  readonly account: string | null;
  /** Reconnects in the loop window reached the threshold (FIELD-NOTES F5). */
  readonly loop: boolean;
  /** Reconnects since the session was last open. */
  readonly attempts: number;
  readonly lastDisconnect: {
    readonly statusCode: number | null;
    readonly reason: DisconnectReason;
    readonly at: number;
  } | null;
  /** A pairing QR is shown right now. */
  readonly qr: boolean;
  /** The WhatsApp Web version of the current or last socket. */
  readonly webVersion: { readonly version: WAVersion; readonly source: 'sw.js' | 'bundled' } | null;
}

/** Events of the session manager; listeners must not throw. */
export interface SessionManagerEvents {
  /** Every status change of every tenant, in order per tenant. */
  transition: [transition: SessionTransition];
  /** A new pairing QR (each ref in turn). The string is secret-bearing: never log it. */
  qr: [event: { tenant: string; qr: string; at: number }];
  /** pair-success arrived: the tenant's creds now belong to a paired device. */
  paired: [event: { tenant: string; account: string | null }];
  /** A close that needs a person (403, 411), or a failure to start. */
  alert: [event: { tenant: string; reason: string; statusCode: number | null; message?: string }];
  /** Reconnects in the loop window reached the threshold; the next one waits the loop delay. */
  loop: [event: { tenant: string; recentReconnects: number; delayMs: number }];
  /** A socket was built (after the lease check), with the epoch and version it runs at. */
  socket: [event: { tenant: string; epoch: number; ticket: number; webVersion: WAVersion }];
}
