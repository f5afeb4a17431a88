/**
 * The few runtime objects the peer uses, typed structurally so a page's own
 * `WebSocket` and `fetch` and Node's `ws` package and global `fetch` all fit.
 */

/** The event fields the peer reads from a WebSocket's events. */
export interface SocketEvent {
  readonly type: string;
  readonly data?: unknown;
  readonly code?: number;
  readonly reason?: string;
}

export type SocketListener = (event: SocketEvent) => void;

export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly protocol: string;
  readonly extensions: string;
  readonly bufferedAmount: number;
  send(data: string | ArrayBufferView | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: SocketListener): void;
  removeEventListener(type: string, listener: SocketListener): void;
}

/** A `WebSocket` class: the page's own, or one injected (in Node, `ws`). */
export type WebSocketConstructor = new (
  url: string,
  protocols?: string | string[],
) => WebSocketLike;

/** The `fetch` function: the page's own, or one injected. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Ready states shared by every WebSocket implementation (WHATWG, `ws`, partysocket). */
export const SOCKET_CONNECTING = 0;
export const SOCKET_OPEN = 1;

/**
 * Where page-lifecycle events come from. In a browser the defaults are
 * `window` (focus, online) and `document` (visibilitychange); tests pass
 * plain `EventTarget`s.
 */
export interface PageSignals {
  readonly window: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
  readonly document: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> & {
    readonly visibilityState: string;
  };
}

/** The page of the running browser, or null outside one (Node, workers). */
export function browserPage(): PageSignals | null {
  const scope = globalThis as { window?: unknown; document?: unknown };
  if (typeof scope.window !== 'object' || typeof scope.document !== 'object') return null;
  if (scope.window === null || scope.document === null) return null;
  return { window, document };
}
