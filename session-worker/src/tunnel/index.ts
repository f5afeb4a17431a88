/**
 * The tunnel's worker side: each tenant's room link, the tunnel route of
 * its egress, the route controller that moves its WhatsApp WebSocket, the
 * status every page of the tenant is told, stats, events and token
 * minting. See README.md beside this file.
 */
export { TunnelService } from './service.js';
export type { SessionSource, TunnelServiceOptions, TunnelSummary } from './service.js';
export { TenantTunnel } from './tenant-tunnel.js';
export type { TenantTunnelOptions } from './tenant-tunnel.js';
export { TUNNEL_DEFAULTS } from './defaults.js';
export type {
  LinkSettings,
  RouteSettings,
  StreamSettings,
  TokenSettings,
  TunnelSettings,
} from './defaults.js';
export {
  BAILEYS_KEEPALIVE_GRACE_MS,
  checkKeepaliveFit,
  parseRoomUrl,
  parseTokenKeys,
  parseTunnelSettings,
  readTunnelEnv,
  TUNNEL_ENV_DEFAULTS,
  TunnelConfigError,
} from './config.js';
export type { RoomEndpoint, TunnelConfig, TunnelSettingsInput } from './config.js';
export { TokenMinter, TokenRequestError } from './tokens.js';
export type { MintedToken, MintOptions } from './tokens.js';
export { RoomLink } from './link/room-link.js';
export type {
  LinkDrop,
  LinkState,
  LinkStatus,
  RoomLinkEvents,
  RoomLinkOptions,
} from './link/room-link.js';
export { refusalKind, refusalProblem, socketProblem } from './link/problem.js';
export type { LinkProblem, RefusalKind } from './link/problem.js';
export { roomSocketClass } from './link/room-socket.js';
export type { RoomSocketClass } from './link/room-socket.js';
export { SampleWindow } from './link/samples.js';
export type { SampleFigures } from './link/samples.js';
export { TunnelCarrier } from './carrier.js';
export { closeForClient, closeForUpstream } from './streams/close-codes.js';
export type { ClientClose } from './streams/close-codes.js';
export { NOT_SENT_CODES } from './streams/context.js';
export { decideMove } from './routes/decide-move.js';
export type { MoveDecision, MoveReason, MoveSituation } from './routes/decide-move.js';
export { RouteController } from './routes/route-controller.js';
export type { MoveRecord } from './routes/route-controller.js';
export { sessionControlOf } from './session-control.js';
export type { ReconnectingManager, SessionControl } from './session-control.js';
export { composeStatus } from './status.js';
export type { StatusInput } from './status.js';
export { peerViewOf, primaryPeer, shownPeer } from './peer-view.js';
export { TunnelStats } from './stats.js';
export type { LiveTunnelView, TunnelStatsSnapshot } from './stats.js';
export type { RouteChange, TunnelEventName, TunnelEvents } from './events.js';
