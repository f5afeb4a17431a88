import { Hono } from 'hono';
import { cors } from 'hono/cors';
import {
  ANY_TENANT,
  isTenantId,
  PROTOCOL_VERSION,
  ProtocolError,
  verifyToken,
} from '@pasarela/shared';
import type { TokenKeySet } from '@pasarela/shared';
import type { BrokerConfig, ConfigError } from '../core/config.js';
import type { RoomIndexEntry } from '../core/host.js';
import { bearerToken, errorResponse, jsonResponse } from './errors.js';

/** How the HTTP routes reach rooms and the rooms index on one runtime. */
export interface RoomDirectory {
  /** Asks the tenant's room for its inspection; the room itself checks the token. */
  inspect(tenant: string, token: string | null): Promise<Response>;
  listRooms(): Promise<RoomIndexEntry[]>;
}

export interface HttpDeps {
  runtime: 'workers' | 'partykit';
  config: BrokerConfig | ConfigError;
  keys: TokenKeySet | ConfigError;
  rooms: RoomDirectory;
}

function usable<T extends object>(value: T | ConfigError): T {
  if (value instanceof ProtocolError) throw value;
  return value;
}

/**
 * The broker's HTTP routes, identical on both runtimes: Hono runs on the
 * standard Request and Response, so each adapter only says how to reach a
 * room (`resolve`).
 */
export function createHttpApp<B extends object>(
  resolve: (bindings: B) => HttpDeps,
): Hono<{
  Bindings: B;
}> {
  const app = new Hono<{ Bindings: B }>();
  // The admin dashboard may be served from another origin; it sends the
  // token in a header and never credentials, so any origin may read.
  // Room URLs are left alone: a 101 response's headers cannot change.
  const open = cors({
    origin: '*',
    allowMethods: ['GET', 'OPTIONS'],
    allowHeaders: ['Authorization'],
  });
  app.use('/health', open);
  app.use('/admin/*', open);

  app.get('/health', (c) => {
    const deps = resolve(c.env);
    usable(deps.config);
    usable(deps.keys);
    return jsonResponse({
      status: 'ok',
      runtime: deps.runtime,
      protocol: PROTOCOL_VERSION,
      time: Date.now(),
    });
  });

  app.get('/admin/rooms', async (c) => {
    const deps = resolve(c.env);
    const claims = await verifyToken(bearerToken(c.req.raw), usable(deps.keys), {
      roles: ['admin'],
    });
    if (claims.tenant !== ANY_TENANT) {
      throw new ProtocolError('auth_wrong_tenant', 'listing rooms needs an admin token for "*"');
    }
    const rooms = await deps.rooms.listRooms();
    rooms.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
    return jsonResponse({ count: rooms.length, rooms });
  });

  app.get('/admin/rooms/:tenant', async (c) => {
    const tenant = c.req.param('tenant');
    if (!isTenantId(tenant)) throw new ProtocolError('not_found', 'no room has that name');
    const deps = resolve(c.env);
    usable(deps.keys);
    return deps.rooms.inspect(tenant, bearerToken(c.req.raw));
  });

  app.notFound((c) =>
    errorResponse(new ProtocolError('not_found', `no route for ${c.req.method} ${c.req.path}`)),
  );
  app.onError((error) => errorResponse(error));
  return app;
}
