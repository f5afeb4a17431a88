import { routePartykitRequest } from 'partyserver';
import { ProtocolError } from '@pasarela/shared';
import { settingsFrom } from '../core/settings.js';
import { createHttpApp } from '../http/app.js';
import { errorResponse } from '../http/errors.js';
import type { Env } from './env.js';
import { INDEX_NAME } from './env.js';

export { RoomIndexObject } from './room-index.js';
export { TunnelRoom } from './tunnel-room.js';

const app = createHttpApp<Env>((env) => ({
  runtime: 'workers',
  ...settingsFrom(env),
  rooms: {
    inspect: (tenant, token) => {
      const headers = token ? { authorization: `Bearer ${token}` } : undefined;
      const url = `https://room.internal/parties/tunnel/${tenant}`;
      return env.Tunnel.getByName(tenant).fetch(new Request(url, { headers }));
    },
    listRooms: () => env.RoomIndex.getByName(INDEX_NAME).list(),
  },
}));

// Only the tunnel party is routed: every other Durable Object binding stays
// unreachable from outside.
app.all('/parties/tunnel/*', async (c) => {
  const response = await routePartykitRequest(c.req.raw, c.env);
  return response ?? errorResponse(new ProtocolError('not_found', 'a room URL needs a tenant'));
});

export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
