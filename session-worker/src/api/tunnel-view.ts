import type { TokenMinter } from '../tunnel/tokens.js';
import type { TunnelStatsSnapshot } from '../tunnel/stats.js';

/**
 * What the sessions list says about a tenant's tunnel. The tunnel service
 * provides it; a worker without a room says "no tunnel" for every tenant.
 */
export interface TunnelFields {
  readonly hasTunnel: boolean;
  readonly tunnelHealthy: boolean;
  /** Route of the WhatsApp WebSocket: `tunnel`, `direct` or `none` (not connected). */
  readonly route: 'tunnel' | 'direct' | 'none';
  /** The tunnel in a phrase, for people. */
  readonly tunnel: string;
}

export type TunnelViewProvider = (tenant: string, running: boolean) => TunnelFields;

export const NO_TUNNEL: TunnelViewProvider = (_tenant, running) => ({
  hasTunnel: false,
  tunnelHealthy: false,
  route: running ? 'direct' : 'none',
  tunnel: 'no tunnel',
});

/** What the tunnel routes need of the tunnel service. */
export interface TunnelApi {
  readonly tokens: Pick<TokenMinter, 'peer' | 'admin'>;
  /** The tenant's tunnel counters in this process, or null when it had no tunnel here. */
  stats(tenant: string): TunnelStatsSnapshot | null;
}
