import { Agent } from 'undici';
import { RelayPeer } from '../peer/peer.js';
import type { PeerOptions } from '../peer/config.js';
import type { PeerEventMap, PeerStatus, StatusEvent } from '../peer/events.js';
import type { FetchLike } from '../peer/runtime.js';
import { browserLikeFetch } from './browser-like-fetch.js';
import { pageWebSocket, placedWebSocket } from './page-websocket.js';
import type { SocketPlacement } from './page-websocket.js';

export const NODE_PEER_DEFAULTS = Object.freeze({
  /** A page origin of a restaurant, under the reserved `.test` name. */
  pageOrigin: 'https://orders.restaurant.test',
  userAgent:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ' +
    'Chrome/156.0.0.0 Safari/537.36 PasarelaNodePeer/0.1',
  browserRules: true,
});

export interface NodePeerOptions
  extends Omit<PeerOptions, 'WebSocket' | 'fetch' | 'page'>, SocketPlacement {
  /** The origin the peer presents, as a page's tab would. */
  readonly pageOrigin?: string;
  readonly userAgent?: string;
  /**
   * Apply a browser's CORS checks and send the page's Origin (default on),
   * so a Node peer never proves more than a browser tab could. Off gives
   * bare `ws` and `fetch`, for tests of the library's own rules.
   */
  readonly browserRules?: boolean;
  /**
   * The `fetch` underneath; defaults to Node's global one, placed by
   * `localAddress` and `ca` (which a given `fetch` must apply itself).
   */
  readonly fetch?: FetchLike;
}

/**
 * Node's fetch, leaving from `localAddress` and trusting `ca`. undici takes
 * the source address as a dispatcher option: its connector overwrites a
 * `connect.localAddress` with the client's own (null unless set).
 */
function placedFetch(placement: SocketPlacement): FetchLike {
  if (!placement.localAddress && !placement.ca) return (input, init) => fetch(input, init);
  const dispatcher = new Agent({
    ...(placement.localAddress ? { localAddress: placement.localAddress } : {}),
    ...(placement.ca ? { connect: { ca: placement.ca as string | string[] } } : {}),
  });
  return (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);
}

/** Creates a peer on Node's `ws` and `fetch` and joins its room. */
export function startNodePeer(options: NodePeerOptions): RelayPeer {
  const {
    pageOrigin = NODE_PEER_DEFAULTS.pageOrigin,
    userAgent = NODE_PEER_DEFAULTS.userAgent,
    browserRules = NODE_PEER_DEFAULTS.browserRules,
    localAddress,
    ca,
    fetch: givenFetch,
    ...peerOptions
  } = options;
  const placement: SocketPlacement = {
    ...(localAddress ? { localAddress } : {}),
    ...(ca ? { ca } : {}),
  };
  const baseFetch = givenFetch ?? placedFetch(placement);
  const rules = { origin: new URL(pageOrigin).origin, userAgent };
  const peer = new RelayPeer({
    ...peerOptions,
    WebSocket: browserRules ? pageWebSocket(rules, placement) : placedWebSocket(placement),
    fetch: browserRules ? browserLikeFetch(baseFetch, rules) : baseFetch,
    page: null,
  });
  peer.start();
  return peer;
}

/** Resolves with the next event of that name that passes the test. */
export function nextEvent<K extends keyof PeerEventMap>(
  peer: RelayPeer,
  name: K,
  test: (event: PeerEventMap[K]) => boolean = () => true,
): Promise<PeerEventMap[K]> {
  return new Promise((resolve) => {
    const stop = peer.on(name, (event) => {
      if (!test(event)) return;
      stop();
      resolve(event);
    });
  });
}

/** Resolves when the peer reaches the status (at once if it is there). */
export async function untilStatus(peer: RelayPeer, status: PeerStatus): Promise<StatusEvent> {
  if (peer.status === status) return { status };
  return nextEvent(peer, 'status', (event) => event.status === status);
}
