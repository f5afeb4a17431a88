/**
 * The relay peer for Node: the same library on `ws` and Node's `fetch`,
 * shaped by default like a browser tab. Not part of the browser bundle.
 */
export { startNodePeer, nextEvent, untilStatus, NODE_PEER_DEFAULTS } from './start-node-peer.js';
export type { NodePeerOptions } from './start-node-peer.js';
export { browserLikeFetch } from './browser-like-fetch.js';
export type { BrowserRules } from './browser-like-fetch.js';
export { pageWebSocket, placedWebSocket } from './page-websocket.js';
export type { PageSocketRules, SocketPlacement } from './page-websocket.js';
export * from '../peer/index.js';
