import WebSocket from 'ws';
import type { WebSocketConstructor } from '../peer/runtime.js';

export interface PageSocketRules {
  /** Sent as Origin, as a browser sends its page's origin on every WebSocket. */
  readonly origin: string;
  readonly userAgent: string;
}

/**
 * The `ws` client shaped like a page's WebSocket: it sends the page's
 * Origin and a browser-like User-Agent on the upgrade, as Chromium does,
 * and nothing else a page could not send. Used for the room and for
 * upstream sockets alike.
 */
export function pageWebSocket(rules: PageSocketRules): WebSocketConstructor {
  class PageWebSocket extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols ?? [], {
        origin: rules.origin,
        headers: { 'user-agent': rules.userAgent },
      });
    }
  }
  return PageWebSocket as unknown as WebSocketConstructor;
}
