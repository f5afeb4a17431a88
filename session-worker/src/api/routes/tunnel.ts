import { z } from 'zod';
import type { TunnelStatsSnapshot } from '../../tunnel/stats.js';
import { ApiError } from '../errors.js';
import type { RouteRegistry } from '../registry.js';
import { tenantParams } from '../schemas.js';
import type { ApiServices } from '../services.js';

const TAG = ['tunnel'];

const figures = z.object({
  count: z.number(),
  lastMs: z.number().nullable(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
});
const routeName = z.enum(['tunnel', 'direct', 'none']);
const routeCounters = z.object({
  requests: z.number(),
  succeeded: z.number(),
  failed: z.record(z.string(), z.number()).describe('Failures by catalogue code.'),
  fallbacks: z.number().describe('Handed to the other route under the replay rules.'),
  bytesSent: z.number(),
  bytesReceived: z.number(),
});

const tokenBody = z.strictObject({
  role: z
    .enum(['peer', 'admin'])
    .describe('`peer`: for a restaurant page of the tenant; `admin`: the inspection dashboard.'),
  tenantId: z
    .string()
    .max(128)
    .optional()
    .describe('Required for a peer token. An admin token covers this tenant, or every one (`*`).'),
  ttlSeconds: z
    .number()
    .int()
    .optional()
    .describe('Lifetime; the worker default when absent (peer 600, admin 900), at most 3600.'),
});

const statsView = z.object({
  tenantId: z.string(),
  since: z.number().describe('When these counters started: the first tunnel of the tenant here.'),
  now: z.number(),
  requestsSent: z.number().describe('Exchanges and WebSockets relayed through the tunnel.'),
  requestsSuccess: z.number(),
  requestsFailed: z.number(),
  bytesProxied: z.number().describe('Bytes both ways through the tunnel.'),
  uptime: z.number().describe('Milliseconds the room link has been open (0 while it is not).'),
  lastHeartbeat: z.number().nullable().describe("The peer's last answer to the room's ping."),
  timeSinceHeartbeat: z.number().nullable().describe('Milliseconds since that answer.'),
  route: z.object({ websocket: routeName, download: routeName, upload: routeName }),
  legs: z.record(z.string(), z.unknown()).nullable().describe("The primary peer's probed legs."),
  link: z.object({
    state: z
      .object({
        status: z.enum(['connecting', 'open', 'down', 'fenced', 'closed']),
        problem: z.object({ code: z.string(), reason: z.string() }).nullable(),
        since: z.number(),
      })
      .nullable()
      .describe("The worker's link to the tenant's room; null while the tenant is not running."),
    rtt: figures,
    lastPongAt: z.number().nullable(),
  }),
  peer: z
    .object({
      peerId: z.string(),
      health: z.string(),
      state: z.string(),
      rttMs: z.number().nullable(),
      userAgent: z.string().nullable(),
    })
    .nullable(),
  roundTrip: z.object({ p50Ms: z.number().nullable(), p95Ms: z.number().nullable() }),
  websocketRoundTrip: figures,
  websocket: z.object({
    lastUpstreamFrameAt: z.number().nullable(),
    msSinceUpstreamFrame: z.number().nullable(),
  }),
  routeChanges: z.object({
    count: z.number(),
    recent: z.array(
      z.object({
        at: z.number(),
        leg: z.string(),
        from: z.string(),
        to: z.string(),
        reason: z.string(),
        controlled: z.boolean(),
      }),
    ),
  }),
  leaks: z.object({ count: z.number(), lastAt: z.number().nullable() }),
  framesDropped: z.object({ total: z.number(), byReason: z.record(z.string(), z.number()) }),
  routes: z.object({ direct: routeCounters, tunnel: routeCounters }),
  room: z.record(z.string(), z.unknown()).nullable().describe("The room's own counters."),
});

/** The stats answer: the service's snapshot under the names the API promises. */
export function statsBody(snapshot: TunnelStatsSnapshot): z.output<typeof statsView> {
  const { tenant, uptimeMs, routeChanges, ...rest } = snapshot;
  return {
    tenantId: tenant,
    ...rest,
    uptime: uptimeMs,
    routeChanges: {
      count: routeChanges.count,
      recent: routeChanges.recent.map(({ tenant: _tenant, ...change }) => change),
    },
  };
}

/**
 * The tunnel's routes: short-lived room tokens for the restaurant's backend
 * and the operator, and a tenant's tunnel stats. They answer
 * `tunnel_not_configured` on a worker without a room.
 */
export function registerTunnelRoutes(api: RouteRegistry, services: ApiServices): void {
  const tunnels = () => {
    if (!services.tunnels) throw new ApiError('tunnel_not_configured');
    return services.tunnels;
  };

  api.register({
    method: 'post',
    path: '/api/tunnel/tokens',
    operationId: 'createTunnelToken',
    summary: 'Mint a short-lived room token',
    description:
      "A peer token lets a restaurant page join its tenant's room: the restaurant's own backend " +
      'asks with its tenant key and hands the token to its page, which never holds a key. ' +
      'An admin token (admin key only) opens the inspection dashboard for one tenant or `*`. ' +
      'Tokens are secrets: pass them on, never log them.',
    tags: TAG,
    access: 'any',
    body: tokenBody,
    responses: {
      200: {
        description: 'The token and when it stops working (seconds since the epoch).',
        schema: z.object({ token: z.string(), expiresAt: z.number() }),
      },
    },
    handler: async ({ c, body, principal, log }) => {
      const tenant = body.tenantId ?? (body.role === 'admin' ? '*' : undefined);
      if (tenant === undefined) {
        throw new ApiError('invalid_request', 'body.tenantId: a peer token names its tenant', {
          field: 'body.tenantId',
        });
      }
      if (principal.kind === 'tenant') {
        if (body.role === 'admin') throw new ApiError('admin_required');
        if (tenant !== principal.tenant) {
          throw new ApiError('auth_wrong_tenant', undefined, { keyId: principal.keyId });
        }
      }
      const options = body.ttlSeconds === undefined ? {} : { ttlSeconds: body.ttlSeconds };
      const { tokens } = tunnels();
      const minted =
        body.role === 'peer'
          ? await tokens.peer(tenant, options)
          : await tokens.admin(tenant, options);
      log.info({ tenant, role: body.role, expiresAt: minted.expiresAt }, 'room token minted');
      c.header('cache-control', 'no-store');
      return c.json({ token: minted.token, expiresAt: minted.expiresAt });
    },
  });

  api.register({
    method: 'get',
    path: '/api/tunnel/stats/{tenantId}',
    operationId: 'getTunnelStats',
    summary: "A tenant's tunnel stats",
    description:
      'Counters of the relayed traffic, the route of each leg, the room link, the primary peer, ' +
      'round trips, route changes and leaks, since the tenant first ran here.',
    tags: TAG,
    access: 'tenant',
    params: tenantParams,
    responses: { 200: { description: 'The stats.', schema: statsView } },
    handler: async ({ c, params }) => {
      const snapshot = tunnels().stats(params.tenantId);
      if (!snapshot) {
        throw new ApiError('tunnel_not_found', undefined, { tenantId: params.tenantId });
      }
      return c.json(statsBody(snapshot));
    },
  });
}
