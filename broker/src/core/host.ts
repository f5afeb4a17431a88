import type { Logger } from './log.js';
import type { ConnectionRecord } from './records.js';

/**
 * What the room core needs from a runtime. The Durable Object adapter and
 * the PartyKit adapter each implement it over their own sockets, storage and
 * alarm; the core never imports either runtime.
 *
 * Connections are named by the core's own ids (`w-…`, `p-…`), never by the
 * runtime's: partysocket reuses its `_pk` id on every reconnect, so two live
 * sockets of one tab can share a runtime id.
 */
export interface RoomHost {
  /** Sends one binary message; false when the socket is already gone. */
  send(name: string, frame: Uint8Array): boolean;
  /** Closes a socket with an application close code (4000-4999). */
  close(name: string, code: number, reason: string): void;
  /** Stores the record with the socket, so it survives hibernation (< 16 KiB). */
  saveRecord(name: string, record: ConnectionRecord): void;
  /** Every open socket of this room and the record saved with it, after a wake-up. */
  openConnections(): Array<{ name: string; record: ConnectionRecord }>;
  readonly storage: RoomStorage;
  /**
   * Asks for one wake-up at `at` (ms since the epoch), or none for `null`.
   * It replaces any earlier request.
   */
  setAlarm(at: number | null): Promise<void>;
  /** The wake-up currently requested, read once when the room loads. */
  getAlarm(): Promise<number | null>;
  /**
   * Keeps the object in memory while the room holds queued frames: a pending
   * timer is what stops a Durable Object from hibernating, and queued bytes
   * would not survive it.
   */
  holdAwake(on: boolean): void;
  /** Tells the rooms index about this room; best effort, never awaited by the core. */
  notifyIndex(entry: RoomIndexEntry): void;
  now(): number;
  readonly log: Logger;
}

/** The subset of Durable Object storage both runtimes offer. */
export interface RoomStorage {
  get<T>(key: string): Promise<T | undefined>;
  put(entries: Record<string, unknown>): Promise<void>;
}

/** What the rooms index keeps about one room. */
export interface RoomIndexEntry {
  tenant: string;
  lastSeenAt: number;
  peers: number;
  worker: boolean;
  primary: boolean;
}
