import type { Connection } from 'partyserver';
import type { RoomHost, RoomIndexEntry, RoomStorage } from '../core/host.js';
import type { Logger } from '../core/log.js';
import { isConnectionRecord } from '../core/records.js';
import type { ConnectionRecord } from '../core/records.js';

/** How often the keep-awake timer ticks while frames wait in the room. */
const HOLD_TICK_MS = 5_000;

/**
 * The room core's view of one Durable Object: partyserver connections
 * (hibernatable WebSockets), their attachments, storage and the alarm.
 */
export class DurableRoomHost implements RoomHost {
  readonly #ctx: DurableObjectState;
  readonly #connections: () => Iterable<Connection>;
  readonly #index: (entry: RoomIndexEntry) => Promise<void>;
  readonly #sockets = new Map<string, Connection>();
  readonly #names = new WeakMap<WebSocket, string>();
  #hold: ReturnType<typeof setInterval> | null = null;
  readonly log: Logger;
  readonly storage: RoomStorage;

  constructor(options: {
    ctx: DurableObjectState;
    connections: () => Iterable<Connection>;
    index: (entry: RoomIndexEntry) => Promise<void>;
    log: Logger;
  }) {
    this.#ctx = options.ctx;
    this.#connections = options.connections;
    this.#index = options.index;
    this.log = options.log;
    const storage = options.ctx.storage;
    this.storage = {
      get: <T>(key: string) => storage.get<T>(key),
      put: (entries) => storage.put(entries),
    };
  }

  bind(name: string, connection: Connection): void {
    this.#sockets.set(name, connection);
    this.#names.set(connection, name);
  }

  /** The core's name of a socket, from memory or, after hibernation, its attachment. */
  nameOf(connection: Connection): string | null {
    const known = this.#names.get(connection);
    if (known) return known;
    const record: unknown = connection.state;
    if (!isConnectionRecord(record)) return null;
    this.bind(record.name, connection);
    return record.name;
  }

  send(name: string, frame: Uint8Array): boolean {
    const socket = this.#sockets.get(name);
    if (!socket) return false;
    try {
      socket.send(frame);
      return true;
    } catch {
      // The socket closed under us; its close event does the cleanup.
      return false;
    }
  }

  close(name: string, code: number, reason: string): void {
    const socket = this.#sockets.get(name);
    this.#sockets.delete(name);
    try {
      socket?.close(code, reason);
    } catch {
      // Already closing.
    }
  }

  saveRecord(name: string, record: ConnectionRecord): void {
    this.#sockets.get(name)?.setState(record);
  }

  openConnections(): Array<{ name: string; record: ConnectionRecord }> {
    const open: Array<{ name: string; record: ConnectionRecord }> = [];
    for (const connection of this.#connections()) {
      const record: unknown = connection.state;
      if (!isConnectionRecord(record)) continue;
      this.bind(record.name, connection);
      open.push({ name: record.name, record });
    }
    return open;
  }

  async setAlarm(at: number | null): Promise<void> {
    if (at === null) await this.#ctx.storage.deleteAlarm();
    else await this.#ctx.storage.setAlarm(at);
  }

  async getAlarm(): Promise<number | null> {
    return (await this.#ctx.storage.getAlarm()) ?? null;
  }

  holdAwake(on: boolean): void {
    if (on && this.#hold === null) this.#hold = setInterval(() => {}, HOLD_TICK_MS);
    if (!on && this.#hold !== null) {
      clearInterval(this.#hold);
      this.#hold = null;
    }
  }

  notifyIndex(entry: RoomIndexEntry): void {
    this.#ctx.waitUntil(
      this.#index(entry).catch((error: unknown) => {
        this.log.warn('rooms index not updated', { reason: (error as Error).message });
      }),
    );
  }

  now(): number {
    return Date.now();
  }
}
