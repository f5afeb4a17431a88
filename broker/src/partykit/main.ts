import type * as Party from 'partykit/server';
import { ProtocolError } from '@pasarela/shared';
import type { RoomIndexEntry } from '../core/host.js';
import { errorFrame } from '../core/frames.js';
import { settingsFrom } from '../core/settings.js';
import { createHttpApp } from '../http/app.js';
import { errorResponse } from '../http/errors.js';
import { INDEX_NAME, INDEX_PARTY } from './names.js';

const app = createHttpApp<Party.FetchLobby>((lobby) => ({
  runtime: 'partykit',
  ...settingsFrom(lobby.env),
  rooms: {
    inspect: async (tenant, token) => {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const room = lobby.parties.tunnel?.get(tenant);
      if (!room) throw new ProtocolError('config_invalid', 'partykit.json lacks the tunnel party');
      return (await room.fetch({ method: 'GET', headers })) as unknown as Response;
    },
    listRooms: async () => {
      const index = lobby.parties[INDEX_PARTY]?.get(INDEX_NAME);
      if (!index) throw new ProtocolError('config_invalid', 'partykit.json lacks the index party');
      const response = await index.fetch({ method: 'GET' });
      const body = (await response.json()) as {
        rooms: Array<RoomIndexEntry & { firstSeenAt: number }>;
      };
      return body.rooms;
    },
  },
}));

/**
 * The PartyKit project's main party. Its static `onFetch` serves the HTTP
 * routes (everything outside `/parties/...`) with the same Hono app as the
 * Worker; the party itself has no room of its own.
 */
export default class Main implements Party.Server {
  static onFetch(request: Party.Request, lobby: Party.FetchLobby): Promise<Response> {
    return Promise.resolve(app.fetch(request as unknown as Request, lobby));
  }

  constructor(readonly party: Party.Room) {}

  onRequest(): Response {
    return errorResponse(new ProtocolError('not_found', 'rooms live at /parties/tunnel/<tenant>'));
  }

  onConnect(connection: Party.Connection): void {
    const refusal = new ProtocolError('not_found', 'rooms live at /parties/tunnel/<tenant>');
    connection.send(errorFrame(refusal.code, refusal.message));
    connection.close(refusal.closeCode, refusal.code);
  }
}
