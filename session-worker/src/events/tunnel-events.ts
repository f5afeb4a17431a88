import type { EventEmitter } from 'node:events';
import type { TunnelEvents } from '../tunnel/events.js';
import type { EventTypeSpec } from './catalogue.js';
import type { EventHub } from './hub.js';

/**
 * The tunnel's event types. Registered whether or not a room is configured,
 * so the catalogue, SSE filters and webhook subscriptions do not change
 * with the configuration.
 */
export const TUNNEL_EVENT_TYPES: readonly EventTypeSpec[] = [
  {
    type: 'tunnel.connected',
    description:
      "A restaurant tab (the room's primary peer) is healthy and may carry the tenant's " +
      'traffic: `peerId`, `userAgent`.',
  },
  {
    type: 'tunnel.disconnected',
    description:
      'No tab can carry the traffic any more: `reason` (`peer left`, `room unreachable`, ...) ' +
      'and `code` (the room link problem, or null).',
  },
  {
    type: 'tunnel.unhealthy',
    description:
      'The tab is there but should not carry traffic (degraded, paused by staff, slow, ' +
      'WhatsApp silent over it): `reason`.',
  },
  {
    type: 'route.changed',
    description:
      'The WhatsApp WebSocket changed route: `leg`, `from`, `to`, `reason`, and `controlled` ' +
      '(true when the worker moved it itself). HTTP requests pick their route one by one.',
  },
  {
    type: 'tunnel.leak',
    description:
      'A direct connection to WhatsApp while the policy and a ready tab said tunnel: `host`, ' +
      '`leg`, `source`, `reason`. Protection is off until the tenant runs again.',
  },
];

/**
 * Publishes the tunnel service's events on the hub (SSE and webhooks); returns the unsubscriber.
 */
export function publishTunnelEvents(
  events: EventEmitter<TunnelEvents>,
  hub: Pick<EventHub, 'publish'>,
): () => void {
  const listeners: { [K in keyof TunnelEvents]?: (...args: TunnelEvents[K]) => void } = {
    'tunnel.connected': ({ tenant, peerId, userAgent }) =>
      void hub.publish('tunnel.connected', tenant, { peerId, userAgent }),
    'tunnel.disconnected': ({ tenant, reason, code }) =>
      void hub.publish('tunnel.disconnected', tenant, { reason, code }),
    'tunnel.unhealthy': ({ tenant, reason }) =>
      void hub.publish('tunnel.unhealthy', tenant, { reason }),
    'route.changed': ({ tenant, leg, from, to, reason, controlled }) =>
      void hub.publish('route.changed', tenant, { leg, from, to, reason, controlled }),
    'tunnel.leak': ({ tenant, record }) =>
      void hub.publish('tunnel.leak', tenant, {
        host: record.host,
        port: record.port,
        leg: record.leg,
        source: record.source,
        reason: record.reason,
        policy: record.policy,
      }),
  };
  const entries = Object.entries(listeners) as [keyof TunnelEvents, (...args: never[]) => void][];
  for (const [name, listener] of entries) events.on(name, listener as never);
  return () => {
    for (const [name, listener] of entries) events.off(name, listener as never);
  };
}
