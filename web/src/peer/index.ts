/**
 * The browser peer's relay library. Runs in a page with the page's own
 * `fetch` and `WebSocket`, and in Node with both injected.
 */
import type { PeerOptions } from './config.js';
import { RelayPeer } from './peer.js';

export { RelayPeer } from './peer.js';
export { PEER_DEFAULTS, PeerConfigError } from './config.js';
export type {
  HttpProbe,
  PeerConfig,
  PeerDefaults,
  PeerOptions,
  ProbeTargets,
  ReconnectSettings,
  WebSocketProbe,
} from './config.js';
export { Emitter } from './events.js';
export type {
  DroppedFrameEvent,
  PeerErrorEvent,
  PeerEventMap,
  PeerListener,
  PeerStatus,
  StatusEvent,
  StreamEndEvent,
  StreamKind,
  StreamOutcome,
  StreamStartEvent,
} from './events.js';
export type { DropReason, PeerStats } from './stats.js';
export type {
  FetchLike,
  PageSignals,
  SocketEvent,
  WebSocketConstructor,
  WebSocketLike,
} from './runtime.js';
export {
  isForbiddenRequestHeader,
  pageRequestHeaders,
  readableResponseHeaders,
} from './headers.js';
export { classifyFetchFailure, originAnswers } from './classify.js';
export { resolveTarget, parseDevHostMap } from './targets.js';
export type { DevHostMap, ResolvedTarget } from './targets.js';
export { canStreamRequestBodies } from './streaming.js';
export { TabPeer, createTabPeer } from './tab-peer.js';
export type { TabPeerEventMap, TabPeerOptions, TabRole, TabView } from './tab-peer.js';
export { browserLocks, electLeader } from './leader.js';
export type { Election, ElectionRole, LockManagerLike } from './leader.js';
export type {
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  LeaderView,
  TabCommand,
} from './tab-channel.js';

/** Creates a peer; call `start()` to join the room. */
export function createPeer(options: PeerOptions): RelayPeer {
  return new RelayPeer(options);
}
