import type { MoveReason } from './routes/decide-move.js';

/**
 * What the tunnel needs of the session manager: a new upstream connection
 * for a running tenant (a login with its saved creds), made on the
 * tenant's serialised path. Resolves false when nothing was done (not
 * running here, waiting out a backoff, or already renewed since).
 */
export interface SessionControl {
  reconnect(tenant: string, reason: MoveReason): Promise<boolean>;
}

/** The slice of `SessionManager` the adapter uses. */
export interface ReconnectingManager {
  reconnect(tenant: string, reason?: 'route_changed'): Promise<boolean>;
}

/** Every move of the tunnel is a `route_changed` reconnect for the session manager. */
export function sessionControlOf(manager: ReconnectingManager): SessionControl {
  return { reconnect: (tenant) => manager.reconnect(tenant, 'route_changed') };
}
