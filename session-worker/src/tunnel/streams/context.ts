import type { ErrorCode } from '@pasarela/shared';
import type { EgressDeadlines } from '../../egress/index.js';
import type { StreamSettings } from '../defaults.js';
import type { RoomLink } from '../link/room-link.js';
import type { StreamTable } from './stream-table.js';

/** Frames the worker's streams themselves did not pass on, by reason. */
export type RelayDrop = 'upstream-gone' | 'client-gone';

/** A tunneled WebSocket's timing, for the route controller and the stats. */
export interface WebSocketTiming {
  readonly streamId: number;
  readonly connectionId: number;
  readonly openedAt: number | null;
  readonly lastUpstreamFrameAt: number | null;
  readonly lastClientFrameAt: number | null;
}

/** What the relays of one tenant share. */
export interface StreamContext {
  readonly tenant: string;
  readonly link: RoomLink;
  readonly table: StreamTable;
  readonly settings: StreamSettings;
  readonly deadlines: EgressDeadlines;
  readonly nextConnectionId: () => number;
  readonly dropped: (reason: RelayDrop) => void;
  /** Request-to-answer times of the tunneled WebSocket (its keepalive round trip). */
  readonly roundTrip: (ms: number) => void;
  /** The tunneled WebSocket opened, moved a frame, or ended (null). */
  readonly websocket: (timing: WebSocketTiming | null) => void;
  /** The upstream of an open tunneled WebSocket is gone; its client is kept a moment. */
  readonly upstreamLost: (code: string) => void;
}

/**
 * Reset codes meaning the request never left toward the upstream: the room
 * had no peer or no room for another stream, or the peer refused it on
 * arrival. Sending it on the other route repeats nothing.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'no_peer',
  'too_many_streams',
  'peer_paused',
]);

/** The full URL the peer must reach: the WhatsApp name the client asked for, its path and query. */
export function upstreamUrl(
  scheme: 'https:' | 'wss:',
  host: string,
  port: number,
  path: string,
): string {
  const defaultPort = 443;
  const authority = port === defaultPort ? host : `${host}:${port}`;
  return `${scheme}//${authority}${path.startsWith('/') ? path : `/${path}`}`;
}

/** Node's flat raw header list as ordered pairs. */
export function headerPairs(raw: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
  return pairs;
}
