import type * as Party from 'partykit/server';
import { ProtocolError } from '@pasarela/shared';
import { isRoomIndexEntry, RoomIndex } from '../core/room-index.js';
import { errorResponse, jsonResponse } from '../http/errors.js';

const hidden = () =>
  errorResponse(new ProtocolError('not_found', 'the rooms index is not reachable from outside'));

/**
 * The rooms index as a party. PartyKit routes every party's URL, so the
 * index refuses all outside traffic before it reaches the room; rooms reach
 * it through `context.parties`, which does not pass those checks.
 */
export default class RoomIndexParty implements Party.Server {
  static onBeforeRequest(): Response {
    return hidden();
  }

  static onBeforeConnect(): Response {
    return hidden();
  }

  readonly #index: RoomIndex;

  constructor(readonly party: Party.Room) {
    const storage = party.storage;
    this.#index = new RoomIndex({
      get: (key) => storage.get(key),
      put: (entries) => storage.put(entries),
      list: (prefix) => storage.list({ prefix }),
    });
  }

  async onRequest(request: Party.Request): Promise<Response> {
    if (request.method === 'POST') {
      const entry: unknown = await request.json();
      if (!isRoomIndexEntry(entry)) {
        return errorResponse(new ProtocolError('bad_frame', 'not a room index entry'));
      }
      await this.#index.record(entry);
      return jsonResponse({ recorded: true });
    }
    return jsonResponse({ rooms: await this.#index.list() });
  }

  onConnect(connection: Party.Connection): void {
    connection.close(4006, 'not_found');
  }
}
