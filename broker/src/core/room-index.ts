import { isTenantId } from '@pasarela/shared';
import type { RoomIndexEntry } from './host.js';

/** What the admin list shows for a room. */
export interface RoomListing extends RoomIndexEntry {
  firstSeenAt: number;
}

export interface IndexStorage {
  get<T>(key: string): Promise<T | undefined>;
  put(entries: Record<string, unknown>): Promise<void>;
  list<T>(prefix: string): Promise<Map<string, T>>;
}

const PREFIX = 'room:';

export function isRoomIndexEntry(value: unknown): value is RoomIndexEntry {
  const entry = value as Partial<RoomIndexEntry> | null;
  return (
    typeof entry === 'object' &&
    entry !== null &&
    isTenantId(entry.tenant) &&
    Number.isFinite(entry.lastSeenAt) &&
    Number.isInteger(entry.peers) &&
    typeof entry.worker === 'boolean' &&
    typeof entry.primary === 'boolean'
  );
}

/**
 * The rooms seen, kept by one dedicated object: a Durable Object cannot
 * list its siblings, so each room reports itself here when its shape
 * changes (peers, worker, primary) and at most once per `indexUpdateMs`
 * otherwise. One key per room keeps each write small.
 */
export class RoomIndex {
  readonly #storage: IndexStorage;

  constructor(storage: IndexStorage) {
    this.#storage = storage;
  }

  async record(entry: RoomIndexEntry): Promise<void> {
    const key = PREFIX + entry.tenant;
    const known = await this.#storage.get<RoomListing>(key);
    if (known && known.lastSeenAt > entry.lastSeenAt) return;
    const listing: RoomListing = {
      tenant: entry.tenant,
      firstSeenAt: known?.firstSeenAt ?? entry.lastSeenAt,
      lastSeenAt: entry.lastSeenAt,
      peers: entry.peers,
      worker: entry.worker,
      primary: entry.primary,
    };
    await this.#storage.put({ [key]: listing });
  }

  async list(): Promise<RoomListing[]> {
    const rooms = await this.#storage.list<RoomListing>(PREFIX);
    return [...rooms.values()];
  }
}
