import type { RoomIndexObject } from './room-index.js';
import type { TunnelRoom } from './tunnel-room.js';

/** The Worker's bindings, as the top-level wrangler.toml declares them. */
export interface Env {
  Tunnel: DurableObjectNamespace<TunnelRoom>;
  RoomIndex: DurableObjectNamespace<RoomIndexObject>;
  /** `{"<key id>": "<secret>"}`; set with `wrangler secret put TOKEN_KEYS`. */
  TOKEN_KEYS?: string;
  /** JSON overrides of the broker defaults (see the broker README). */
  BROKER_CONFIG?: string;
}

/** The one object that keeps the rooms index. */
export const INDEX_NAME = 'all';
