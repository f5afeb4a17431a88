import { DurableObject } from 'cloudflare:workers';
import type { RoomIndexEntry } from '../core/host.js';
import { isRoomIndexEntry, RoomIndex } from '../core/room-index.js';
import type { RoomListing } from '../core/room-index.js';
import type { Env } from './env.js';

/**
 * The rooms index as one Durable Object, reached by RPC only: the Worker
 * never routes a URL to it.
 */
export class RoomIndexObject extends DurableObject<Env> {
  readonly #index = new RoomIndex({
    get: (key) => this.ctx.storage.get(key),
    put: (entries) => this.ctx.storage.put(entries),
    list: (prefix) => this.ctx.storage.list({ prefix }),
  });

  async record(entry: RoomIndexEntry): Promise<void> {
    if (isRoomIndexEntry(entry)) await this.#index.record(entry);
  }

  list(): Promise<RoomListing[]> {
    return this.#index.list();
  }
}
