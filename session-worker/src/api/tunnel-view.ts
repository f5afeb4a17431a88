/**
 * What the sessions list says about a tenant's tunnel. The tunnel layer
 * provides it; until it is wired in, every tenant reads "no tunnel".
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
