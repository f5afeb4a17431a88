// The broker's public surface for the other parts of the product: the
// shapes its HTTP routes answer with, and its configuration.
export { BROKER_DEFAULTS, parseBrokerConfig } from './core/config.js';
export type { BrokerConfig } from './core/config.js';
export type { RoomEvent, RoomEventKind } from './core/events.js';
export type { RoomListing } from './core/room-index.js';
export type { StatsView } from './core/stats.js';
export type { StreamView } from './core/streams.js';
export type { Inspection, PeerInspection } from './core/views.js';
export type { ErrorBodyJson } from './http/errors.js';
