import type { BrokerConfig } from './config.js';
import type { EventLog } from './events.js';
import type { RoomHost } from './host.js';
import { pingDueAt } from './liveness.js';
import type { ConnectionRecord } from './records.js';
import type { TenantStats } from './stats.js';

export const STORAGE_KEYS = {
  meta: 'meta',
  stats: 'stats',
  events: 'events',
  status: 'status',
} as const;

/**
 * When the room must wake up, and the stats flush. One alarm serves every
 * purpose: the next due ping, a handshake deadline, a pending flush. With
 * no peer, no pending handshake and nothing unflushed there is no alarm at
 * all, so an idle room sleeps.
 */
export class Upkeep {
  readonly #host: RoomHost;
  readonly #config: BrokerConfig;
  readonly #stats: TenantStats;
  readonly #events: EventLog;
  #lastFlushAt: number;
  #alarmAt: number | null;

  constructor(
    host: RoomHost,
    config: BrokerConfig,
    parts: { stats: TenantStats; events: EventLog; alarmAt: number | null; now: number },
  ) {
    this.#host = host;
    this.#config = config;
    this.#stats = parts.stats;
    this.#events = parts.events;
    this.#alarmAt = parts.alarmAt;
    this.#lastFlushAt = parts.now;
  }

  /** The alarm that was set has fired. */
  alarmFired(): void {
    this.#alarmAt = null;
  }

  #hardDirty(): boolean {
    return this.#stats.dirty || this.#events.dirty;
  }

  #flushDueAt(): number | null {
    if (this.#hardDirty()) return this.#lastFlushAt + this.#config.statsFlushMs;
    if (this.#stats.softDirty) return this.#lastFlushAt + this.#config.heartbeatPersistMs;
    return null;
  }

  async flushIfDue(now: number): Promise<boolean> {
    const due = this.#flushDueAt();
    return due !== null && due <= now && (await this.flush(now));
  }

  /** Writes stats and events; also called at once when a connection closes. */
  async flush(now: number): Promise<boolean> {
    if (!this.#hardDirty() && !this.#stats.softDirty) return false;
    this.#stats.addQuietly('storageWrites', 2);
    const stats = this.#stats.snapshotForFlush(now);
    const events = this.#events.snapshotForFlush();
    this.#lastFlushAt = now;
    await this.#host.storage.put({ [STORAGE_KEYS.stats]: stats, [STORAGE_KEYS.events]: events });
    return true;
  }

  /** Sets, moves or clears the one alarm, touching storage only when it changes. */
  async schedule(connections: Iterable<ConnectionRecord>): Promise<void> {
    let at = this.#flushDueAt() ?? Infinity;
    for (const connection of connections) {
      if (connection.stage === 'hello') {
        at = Math.min(at, connection.connectedAt + this.#config.handshakeTimeoutMs);
      } else if (connection.role === 'peer') {
        at = Math.min(at, pingDueAt(connection, this.#config));
      }
    }
    const next = at === Infinity ? null : at;
    if (next === this.#alarmAt) return;
    this.#alarmAt = next;
    if (next !== null) this.#stats.addQuietly('alarmSets');
    await this.#host.setAlarm(next);
  }
}
