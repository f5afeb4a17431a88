import WebSocket from 'ws';
import type { WebSocketConstructor } from '../peer/runtime.js';

export interface PageSocketRules {
  /** Sent as Origin, as a browser sends its page's origin on every WebSocket. */
  readonly origin: string;
  readonly userAgent: string;
}

/** How the sockets leave this host; nothing a page could set. */
export interface SocketPlacement {
  /** The source address of every connection (the restaurant's own, in tests). */
  readonly localAddress?: string;
  /** Certificate authorities trusted besides Node's own, as an OS store would hold them. */
  readonly ca?: string | readonly string[];
}

function placementOptions(placement: SocketPlacement): WebSocket.ClientOptions {
  return {
    ...(placement.localAddress ? { localAddress: placement.localAddress } : {}),
    ...(placement.ca ? { ca: placement.ca as string | string[] } : {}),
  };
}

/**
 * The `ws` client shaped like a page's WebSocket: it sends the page's
 * Origin and a browser-like User-Agent on the upgrade, as Chromium does,
 * and nothing else a page could not send. Used for the room and for
 * upstream sockets alike.
 */
export function pageWebSocket(
  rules: PageSocketRules,
  placement: SocketPlacement = {},
): WebSocketConstructor {
  const options = placementOptions(placement);
  class PageWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], {
        ...options,
        origin: rules.origin,
        headers: { 'user-agent': rules.userAgent },
      });
    }
  }
  return PageWebSocket as unknown as WebSocketConstructor;
}

/** The bare `ws` client (no page rules), placed as asked. */
export function placedWebSocket(placement: SocketPlacement): WebSocketConstructor {
  const options = placementOptions(placement);
  if (Object.keys(options).length === 0) return WebSocket as unknown as WebSocketConstructor;
  class PlacedWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], options);
    }
  }
  return PlacedWebSocket as unknown as WebSocketConstructor;
}
