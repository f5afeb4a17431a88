/**
 * Sessions: one Baileys socket per tenant on its egress, driven by the lease
 * manager, with the disconnect rules and the status machine. See README.md.
 */
export { SessionManager, type ReconnectReason, type SessionManagerOptions } from './manager.js';
export type { SessionManagerEvents, SessionView } from './view.js';
export { SESSION_DEFAULTS, parseSessionConfig, type SessionConfig } from './config.js';
export { SESSION_ERRORS, SessionError, type SessionErrorCode } from './errors.js';
export {
  SESSION_STATUSES,
  SESSION_TRANSITIONS,
  SessionStateMachine,
  type SessionStatus,
  type SessionTransition,
  type TransitionDetail,
  type TransitionReason,
} from './state.js';
export {
  QR_EXPIRED_MESSAGE,
  decideDisconnect,
  readDisconnect,
  type DisconnectDecision,
  type DisconnectInfo,
  type DisconnectReason,
  type SessionPhase,
} from './disconnect.js';
export { ReconnectTracker } from './backoff.js';
export { BUNDLED_VERSION, WebVersionSource, type WebVersion } from './wa-version.js';
export { normalisePhone, renderQrPng, type QrPngOptions } from './pairing.js';
export type { ExtraSocketOptions } from './socket.js';
