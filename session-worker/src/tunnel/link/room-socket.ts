import { PartySocket } from 'partysocket';
import WebSocket from 'ws';
import type { RoomEndpoint } from '../config.js';
import type { LinkSettings } from '../defaults.js';

/** The constructor partysocket calls for each attempt, as a page's `WebSocket` would be. */
export type RoomSocketClass = new (url: string, protocols?: string | string[]) => WebSocket;

/** Larger than any frame the room may send (its frames are capped at 1 MiB). */
const MAX_ROOM_MESSAGE = 2 * 1024 * 1024;

/**
 * The `ws` client partysocket uses for the room: no compression (frames
 * are mostly media bytes already compressed, and the room forwards them
 * as they are), a recognisable User-Agent for the room's inspection, and a
 * bound on what one message may carry.
 */
export function roomSocketClass(userAgent: string): RoomSocketClass {
  return class RoomWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], {
        perMessageDeflate: false,
        maxPayload: MAX_ROOM_MESSAGE,
        headers: { 'user-agent': userAgent },
      });
    }
  };
}

export interface RoomSocketOptions {
  readonly room: RoomEndpoint;
  readonly party: string;
  readonly tenant: string;
  /** Called before every attempt: a fresh worker token each time. */
  readonly query: () => Promise<Record<string, string>>;
  readonly WebSocket: RoomSocketClass;
  readonly settings: LinkSettings;
}

/**
 * partysocket with `maxEnqueuedMessages: 0`: it queues nothing while
 * disconnected, so a frame meant for a dead connection can never be sent
 * on the next one (it would otherwise flush its queue before `open`).
 */
export function openRoomSocket(options: RoomSocketOptions): PartySocket {
  const { settings } = options;
  const socket = new PartySocket({
    host: options.room.host,
    protocol: options.room.protocol,
    party: options.party,
    room: options.tenant,
    query: options.query,
    WebSocket: options.WebSocket,
    maxEnqueuedMessages: 0,
    minReconnectionDelay: settings.minDelayMs,
    maxReconnectionDelay: settings.maxDelayMs,
    reconnectionDelayGrowFactor: settings.growFactor,
    connectionTimeout: settings.connectionTimeoutMs,
    minUptime: settings.handshakeTimeoutMs,
  });
  socket.binaryType = 'arraybuffer';
  return socket;
}
