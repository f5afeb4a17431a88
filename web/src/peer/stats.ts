import type { ErrorCode } from '@pasarela/shared';

/** Why a received or outgoing frame was dropped instead of delivered. */
export type DropReason =
  /** A stream frame for a stream id this peer never opened. */
  | 'unknown-stream'
  /** A frame for a stream that already ended here (late, or sent before a Reset crossed). */
  | 'stream-ended'
  /** A stream frame whose connection id is not the one its stream belongs to. */
  | 'connection-mismatch'
  /** A stream frame that arrived before the room's Welcome. */
  | 'before-welcome'
  /** A frame the peer does not take from the room (Hello, Presence, ...). */
  | 'unexpected-type'
  /** Bytes that are not a valid protocol v1 frame, or a text message. */
  | 'undecodable'
  /** An outgoing frame of a room socket that is already closed: never sent on a newer one. */
  | 'link-closed';

export interface PeerStats {
  /** Room sockets opened, and of those, joined (Welcome received). */
  socketsOpened: number;
  joins: number;
  /** Connection attempts (one fresh token each). */
  attempts: number;
  framesIn: number;
  framesOut: number;
  bytesIn: number;
  bytesOut: number;
  pingsAnswered: number;
  lastPingAt: number | null;
  streams: {
    active: number;
    started: number;
    succeeded: number;
    failed: Partial<Record<ErrorCode, number>>;
    /** Ended by the worker's Reset or WsClose, or by the room socket's loss. */
    endedByWorker: number;
    endedByLinkLoss: number;
  };
  /** Body and message bytes to and from the upstream hosts. */
  upstreamBytesSent: number;
  upstreamBytesReceived: number;
  dropped: { total: number; byReason: Partial<Record<DropReason, number>> };
  /** CORS refusals per upstream host (F12). */
  corsRefusals: Record<string, number>;
}

export function emptyStats(): PeerStats {
  return {
    socketsOpened: 0,
    joins: 0,
    attempts: 0,
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    pingsAnswered: 0,
    lastPingAt: null,
    streams: {
      active: 0,
      started: 0,
      succeeded: 0,
      failed: {},
      endedByWorker: 0,
      endedByLinkLoss: 0,
    },
    upstreamBytesSent: 0,
    upstreamBytesReceived: 0,
    dropped: { total: 0, byReason: {} },
    corsRefusals: {},
  };
}

/** A deep copy, so callers cannot change the live counters. */
export function snapshotStats(stats: PeerStats): PeerStats {
  return {
    ...stats,
    streams: { ...stats.streams, failed: { ...stats.streams.failed } },
    dropped: { total: stats.dropped.total, byReason: { ...stats.dropped.byReason } },
    corsRefusals: { ...stats.corsRefusals },
  };
}

export function countInto<K extends string>(record: Partial<Record<K, number>>, key: K): void {
  record[key] = (record[key] ?? 0) + 1;
}
