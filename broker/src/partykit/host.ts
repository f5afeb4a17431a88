import type * as Party from 'partykit/server';
import type { RoomHost, RoomIndexEntry, RoomStorage } from '../core/host.js';
import type { Logger } from '../core/log.js';
import { isConnectionRecord } from '../core/records.js';
import type { ConnectionRecord } from '../core/records.js';

const HOLD_TICK_MS = 5_000;

/**
 * The room core's view of one PartyKit room: hibernating connections,
 * their attachments (`setState`), room storage and its alarm.
 */
export class PartyRoomHost implements RoomHost {
  readonly #party: Party.Room;
  readonly #index: (entry: RoomIndexEntry) => Promise<void>;
  readonly #sockets = new Map<string, Party.Connection>();
  readonly #names = new WeakMap<object, string>();
  #hold: ReturnType<typeof setInterval> | null = null;
  readonly log: Logger;
  readonly storage: RoomStorage;

  constructor(party: Party.Room, index: (entry: RoomIndexEntry) => Promise<void>, log: Logger) {
    this.#party = party;
    this.#index = index;
    this.log = log;
    this.storage = {
      get: <T>(key: string) => party.storage.get<T>(key),
      put: (entries) => party.storage.put(entries),
    };
  }

  bind(name: string, connection: Party.Connection): void {
    this.#sockets.set(name, connection);
    this.#names.set(connection, name);
  }

  nameOf(connection: Party.Connection): string | null {
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
    for (const connection of this.#party.getConnections()) {
      const record: unknown = connection.state;
      if (!isConnectionRecord(record)) continue;
      this.bind(record.name, connection);
      open.push({ name: record.name, record });
    }
    return open;
  }

  async setAlarm(at: number | null): Promise<void> {
    if (at === null) await this.#party.storage.deleteAlarm();
    else await this.#party.storage.setAlarm(at);
  }

  async getAlarm(): Promise<number | null> {
    return (await this.#party.storage.getAlarm()) ?? null;
  }

  holdAwake(on: boolean): void {
    if (on && this.#hold === null) this.#hold = setInterval(() => {}, HOLD_TICK_MS);
    if (!on && this.#hold !== null) {
      clearInterval(this.#hold);
      this.#hold = null;
    }
  }

  notifyIndex(entry: RoomIndexEntry): void {
    const failed = (error: unknown) =>
      this.log.warn('rooms index not updated', { reason: (error as Error).message });
    try {
      // PartyKit refuses `context.parties` inside alarms; the next socket event reports instead.
      this.#index(entry).catch(failed);
    } catch (error) {
      failed(error);
    }
  }

  now(): number {
    return Date.now();
  }
}
