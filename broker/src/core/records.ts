import type { Legs, Limits, PeerHealth, PeerState } from '@pasarela/shared';

export type ConnectionRole = 'worker' | 'peer';

/** `hello`: token accepted, waiting for the Hello frame; `open`: Welcome sent. */
export type ConnectionStage = 'hello' | 'open';

export type StreamKind = 'http' | 'ws';

/**
 * A stream as kept in the worker's socket attachment, so the stream-to-peer
 * mapping outlives hibernation: `[streamId, connectionId, peer, kind,
 * openedAt, flags]`; the flags mark the worker's End (1), the peer's End
 * (2), an answer seen (4) and an outcome counted (8).
 */
export type StreamTuple = [number, number, string, 0 | 1, number, number];

/**
 * Everything the room knows about one socket, saved with it. Kept small:
 * a hibernatable socket's attachment holds at most 16 KiB, and the worker's
 * stream table is the largest part (at most 128 short tuples, about 9 KiB).
 */
export interface ConnectionRecord {
  v: 1;
  name: string;
  role: ConnectionRole;
  /** The client's own id, stable across its reconnects (partysocket's `_pk`). */
  clientId: string | null;
  connectedAt: number;
  stage: ConnectionStage;
  userAgent: string | null;
  /** Lease epoch of a worker token. */
  epoch: number | null;
  limits: Limits | null;
  state: PeerState;
  legs: Legs;
  health: PeerHealth;
  primary: boolean;
  rttMs: number | null;
  lastPingAt: number | null;
  lastPongAt: number | null;
  missedPings: number;
  streams: StreamTuple[];
}

export const UNPROBED_LEGS: Legs = Object.freeze({
  websocket: { status: 'unprobed' },
  download: { status: 'unprobed' },
  upload: { status: 'unprobed' },
}) as Legs;

export function newRecord(
  name: string,
  role: ConnectionRole,
  fields: Pick<ConnectionRecord, 'clientId' | 'connectedAt' | 'userAgent' | 'epoch'>,
): ConnectionRecord {
  return {
    v: 1,
    name,
    role,
    ...fields,
    stage: 'hello',
    limits: null,
    state: 'active',
    legs: UNPROBED_LEGS,
    health: 'unknown',
    primary: false,
    rttMs: null,
    lastPingAt: null,
    lastPongAt: null,
    missedPings: 0,
    streams: [],
  };
}

export function isConnectionRecord(value: unknown): value is ConnectionRecord {
  const record = value as Partial<ConnectionRecord> | null;
  return (
    typeof record === 'object' &&
    record !== null &&
    record.v === 1 &&
    typeof record.name === 'string' &&
    (record.role === 'worker' || record.role === 'peer')
  );
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A connection name the room hands out: `w-`, `p-` or `x-` (refused) and 12 random characters. */
export function connectionName(role: ConnectionRole | null): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  let name = role === 'worker' ? 'w-' : role === 'peer' ? 'p-' : 'x-';
  for (const byte of bytes) name += ALPHABET[byte % ALPHABET.length];
  return name;
}

/** partysocket's `_pk`, if it looks like an id; anything else is ignored. */
export function clientIdFrom(url: URL): string | null {
  const value = url.searchParams.get('_pk');
  return value && /^[A-Za-z0-9_-]{1,64}$/.test(value) ? value : null;
}
