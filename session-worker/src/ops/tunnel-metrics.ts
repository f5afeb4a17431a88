import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { TunnelService } from '../tunnel/service.js';

const ROUTES = ['tunnel', 'direct', 'none'] as const;
const LEGS = ['websocket', 'download', 'upload'] as const;
const PEER_STATES = ['none', 'healthy', 'unhealthy'] as const;

/**
 * The tunnel's Prometheus metrics. Counters are read at scrape time from
 * each tenant's tunnel stats (kept for the life of the process, so they
 * only rise); gauges describe the tenants running here now. Leaks are the
 * audit's `pasarela_egress_leaks_total{tenant}`, the same records the
 * tunnel counts. Returns the function that stops the event-driven ones.
 */
export function watchTunnelMetrics(registry: Registry, tunnels: TunnelService): () => void {
  const registers = [registry];
  new Counter({
    name: 'pasarela_tunnel_requests_total',
    help: 'HTTP exchanges and WebSockets of tenants with a tunnel, by route',
    labelNames: ['tenant', 'route'],
    registers,
    collect() {
      this.reset();
      for (const stats of tunnels.list()) {
        for (const route of ['tunnel', 'direct'] as const) {
          this.inc({ tenant: stats.tenant, route }, stats.routes[route].requests);
        }
      }
    },
  });
  new Counter({
    name: 'pasarela_tunnel_request_failures_total',
    help: 'Exchanges ended by an error, by route and catalogue code (fallbacks included)',
    labelNames: ['tenant', 'route', 'code'],
    registers,
    collect() {
      this.reset();
      for (const stats of tunnels.list()) {
        for (const route of ['tunnel', 'direct'] as const) {
          for (const [code, count] of Object.entries(stats.routes[route].failed)) {
            this.inc({ tenant: stats.tenant, route, code }, count);
          }
        }
      }
    },
  });
  new Counter({
    name: 'pasarela_tunnel_fallbacks_total',
    help: 'Exchanges given up on a route and handed to the other under the replay rules',
    labelNames: ['tenant', 'route'],
    registers,
    collect() {
      this.reset();
      for (const stats of tunnels.list()) {
        for (const route of ['tunnel', 'direct'] as const) {
          this.inc({ tenant: stats.tenant, route }, stats.routes[route].fallbacks);
        }
      }
    },
  });
  new Counter({
    name: 'pasarela_tunnel_bytes_total',
    help: 'Body and WebSocket bytes, by route and direction (sent toward WhatsApp, received)',
    labelNames: ['tenant', 'route', 'direction'],
    registers,
    collect() {
      this.reset();
      for (const stats of tunnels.list()) {
        for (const route of ['tunnel', 'direct'] as const) {
          const counters = stats.routes[route];
          this.inc({ tenant: stats.tenant, route, direction: 'sent' }, counters.bytesSent);
          this.inc({ tenant: stats.tenant, route, direction: 'received' }, counters.bytesReceived);
        }
      }
    },
  });
  new Counter({
    name: 'pasarela_tunnel_frames_dropped_total',
    help: 'Frames of dead connections or ended streams the worker dropped, by reason',
    labelNames: ['tenant', 'reason'],
    registers,
    collect() {
      this.reset();
      for (const stats of tunnels.list()) {
        for (const [reason, count] of Object.entries(stats.framesDropped.byReason)) {
          this.inc({ tenant: stats.tenant, reason }, count);
        }
      }
    },
  });
  const changes = new Counter({
    name: 'pasarela_tunnel_route_changes_total',
    help: 'Route changes of the WhatsApp WebSocket, by new route and reason',
    labelNames: ['tenant', 'to', 'reason'],
    registers,
  });
  new Gauge({
    name: 'pasarela_tunnel_route',
    help: 'Per leg, 1 for the route it takes now (the next request, for HTTP legs), by policy',
    labelNames: ['tenant', 'leg', 'route', 'policy'],
    registers,
    collect() {
      this.reset();
      for (const { tenant, route: current } of tunnels.list()) {
        const status = tunnels.status(tenant);
        if (!status) continue;
        for (const leg of LEGS) {
          for (const route of ROUTES) {
            this.set({ tenant, leg, route, policy: status.policy }, current[leg] === route ? 1 : 0);
          }
        }
      }
    },
  });
  new Gauge({
    name: 'pasarela_tunnel_peer',
    help:
      "1 for the state of the tenant's primary peer: " +
      'none, healthy (may carry traffic), unhealthy',
    labelNames: ['tenant', 'status'],
    registers,
    collect() {
      this.reset();
      for (const { tenant } of tunnels.list()) {
        if (!tunnels.tunnel(tenant)) continue;
        const summary = tunnels.summary(tenant, true);
        const now = !summary.hasTunnel ? 'none' : summary.tunnelHealthy ? 'healthy' : 'unhealthy';
        for (const status of PEER_STATES) this.set({ tenant, status }, now === status ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'pasarela_tunnel_room_link_up',
    help: "1 while the worker's link to the tenant's room is open",
    labelNames: ['tenant'],
    registers,
    collect() {
      this.reset();
      for (const { tenant } of tunnels.list()) {
        const tunnel = tunnels.tunnel(tenant);
        if (tunnel) this.set({ tenant }, tunnel.link.isOpen ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'pasarela_tunnel_peer_rtt_p95_seconds',
    help: "The room's p95 round trip to the tenant's peers",
    labelNames: ['tenant'],
    registers,
    collect() {
      this.reset();
      for (const { tenant, roundTrip } of tunnels.list()) {
        if (tunnels.tunnel(tenant) && roundTrip.p95Ms !== null) {
          this.set({ tenant }, roundTrip.p95Ms / 1_000);
        }
      }
    },
  });
  const onChange = (change: { tenant: string; to: string; reason: string }) =>
    changes.inc({ tenant: change.tenant, to: change.to, reason: change.reason });
  tunnels.events.on('route.changed', onChange);
  return () => tunnels.events.off('route.changed', onChange);
}
