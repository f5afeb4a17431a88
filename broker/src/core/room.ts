import {
  decodeHeader,
  isProtocolError,
  isStreamFrameType,
  ProtocolError,
  verifyToken,
} from '@pasarela/shared';
import type { ErrorCode, TenantStatus, TokenKeySet } from '@pasarela/shared';
import { admit } from './admission.js';
import { BROKER_DEFAULTS } from './config.js';
import type { BrokerConfig, ConfigError } from './config.js';
import { handleControl } from './control.js';
import { EventLog } from './events.js';
import type { RoomEvent } from './events.js';
import { errorFrame, frame } from './frames.js';
import { healthRound } from './health.js';
import type { RoomHost } from './host.js';
import type { Logger } from './log.js';
import { admitPeer, admitWorker, completeHello, peersChanged } from './membership.js';
import { asProtocolError } from './problem.js';
import { clientIdFrom, connectionName, newRecord } from './records.js';
import type { ConnectionRecord, ConnectionRole } from './records.js';
import { Relay } from './relay.js';
import { TenantStats } from './stats.js';
import type { StoredStats } from './stats.js';
import { STORAGE_KEYS, Upkeep } from './upkeep.js';
import { peerInspection, workerInspection } from './views.js';
import type { Inspection } from './views.js';

export interface RoomOptions {
  host: RoomHost;
  /** The room's name from its URL; null where the runtime cannot tell (PartyKit alarms). */
  tenant: string | null;
  config: BrokerConfig | ConfigError;
  keys: TokenKeySet | ConfigError;
}

interface Meta {
  tenant: string | null;
  highestEpoch: number;
  firstSeenAt: number;
}

export interface ConnectInfo {
  url: string;
  userAgent: string | null;
}

type Loaded = { stats: TenantStats; events: EventLog; upkeep: Upkeep; relay: Relay };

/**
 * One tenant's room: roles, peer choice, relay, health, stats and
 * inspection, over whatever runtime the host adapts. Every entry point
 * first loads the room's state (storage and socket attachments), since the
 * object may have just woken from hibernation.
 */
export class Room {
  readonly host: RoomHost;
  readonly config: BrokerConfig;
  readonly #configError: ConfigError | null;
  readonly #keys: TokenKeySet | null;
  readonly #tenantFromUrl: string | null;
  readonly conns = new Map<string, ConnectionRecord>();
  /** Kept in storage: the room's tenant and the highest lease epoch seen. */
  meta: Meta = { tenant: null, highestEpoch: 0, firstSeenAt: 0 };
  #loaded: Loaded | null = null;
  #loading: Promise<Loaded> | null = null;
  workerName: string | null = null;
  primary: string | null = null;
  status: TenantStatus | null = null;
  #indexShape = '';
  #indexAt = 0;
  log: Logger;

  constructor(options: RoomOptions) {
    this.host = options.host;
    const configError = isProtocolError(options.config) ? options.config : null;
    const keyError = isProtocolError(options.keys) ? options.keys : null;
    this.config = configError ? BROKER_DEFAULTS : (options.config as BrokerConfig);
    this.#configError = configError ?? keyError;
    this.#keys = keyError ? null : (options.keys as TokenKeySet);
    this.#tenantFromUrl = options.tenant;
    this.log = options.host.log.child({ tenant: options.tenant ?? undefined });
  }

  get tenant(): string {
    return this.#tenantFromUrl ?? this.meta.tenant ?? '';
  }

  get parts(): Loaded {
    if (!this.#loaded) throw new Error('room used before ready()');
    return this.#loaded;
  }

  get worker(): ConnectionRecord | null {
    return this.workerName === null ? null : (this.conns.get(this.workerName) ?? null);
  }

  peers(): ConnectionRecord[] {
    return [...this.conns.values()].filter((record) => record.role === 'peer');
  }

  ready(): Promise<Loaded> {
    this.#loading ??= this.#load().catch((error: unknown) => {
      // A failed load (storage unavailable) is tried again by the next event.
      this.#loading = null;
      throw error;
    });
    return this.#loading;
  }

  async #load(): Promise<Loaded> {
    const storage = this.host.storage;
    const [meta, stored, events, status, alarmAt] = await Promise.all([
      storage.get<Meta>(STORAGE_KEYS.meta),
      storage.get<StoredStats>(STORAGE_KEYS.stats),
      storage.get<RoomEvent[]>(STORAGE_KEYS.events),
      storage.get<TenantStatus>(STORAGE_KEYS.status),
      this.host.getAlarm(),
    ]);
    const now = this.host.now();
    this.meta = meta ?? { tenant: null, highestEpoch: 0, firstSeenAt: now };
    this.status = status ?? null;
    const stats = new TenantStats(stored, now, this.config.rttSamplesKept);
    const eventLog = new EventLog(events, this.config.eventsKept);
    const upkeep = new Upkeep(this.host, this.config, { stats, events: eventLog, alarmAt, now });
    const relay = new Relay({
      config: this.config,
      stats,
      events: eventLog,
      log: this.log,
      now: () => this.host.now(),
      send: (name, bytes) => void this.host.send(name, bytes),
      worker: () => this.worker,
      peer: (name) => this.peers().find((peer) => peer.name === name),
      primary: () => this.primary,
      streamsChanged: () => this.#saveStreams(),
      holdAwake: (on) => this.host.holdAwake(on),
    });
    for (const { name, record } of this.host.openConnections()) {
      this.conns.set(name, record);
      if (record.role === 'worker') this.workerName = name;
      if (record.primary) this.primary = name;
    }
    const worker = this.worker;
    if (worker) relay.restore(worker.streams);
    stats.resume(this.primary !== null, now);
    if (this.meta.tenant === null && this.#tenantFromUrl !== null) {
      this.meta.tenant = this.#tenantFromUrl;
      await storage.put({ [STORAGE_KEYS.meta]: this.meta });
    }
    this.#loaded = { stats, events: eventLog, upkeep, relay };
    return this.#loaded;
  }

  record(event: Omit<RoomEvent, 'at'>): void {
    this.parts.events.record({ at: this.host.now(), ...event });
  }

  save(record: ConnectionRecord): void {
    if (this.conns.get(record.name) === record) this.host.saveRecord(record.name, record);
  }

  #saveStreams(): void {
    const worker = this.worker;
    if (!worker) return;
    worker.streams = this.parts.relay.tuples();
    this.save(worker);
  }

  /** A socket arrived. `bind` names it for the host before anything is sent on it. */
  async connect(info: ConnectInfo, bind: (name: string) => void): Promise<void> {
    await this.ready();
    const url = new URL(info.url);
    let role: ConnectionRole;
    let epoch: number | null;
    try {
      if (this.#configError || !this.#keys) throw this.#configError;
      ({ role, epoch } = await admit(
        url,
        this.tenant,
        this.#keys,
        this.meta.highestEpoch,
        this.host.now(),
      ));
      // Another worker may have raised the epoch while this token was being checked.
      if (epoch !== null && epoch < this.meta.highestEpoch) {
        throw new ProtocolError('auth_stale_epoch', 'a worker with a higher lease epoch connected');
      }
    } catch (error) {
      const name = connectionName(null);
      bind(name);
      this.refuse(name, null, asProtocolError(error));
      await this.#afterChange();
      return;
    }
    const name = connectionName(role);
    bind(name);
    const now = this.host.now();
    const record = newRecord(name, role, {
      clientId: role === 'peer' ? clientIdFrom(url) : null,
      connectedAt: now,
      userAgent: info.userAgent?.slice(0, 512) ?? null,
      epoch,
    });
    if (role === 'worker') admitWorker(this, record);
    else if (!admitPeer(this, record)) return void (await this.#afterChange());
    this.conns.set(name, record);
    this.save(record);
    this.record({
      kind: 'connected',
      connection: name,
      role,
      detail: epoch === null ? undefined : `epoch ${epoch}`,
    });
    this.log.info('connection accepted', { connection: name, role, epoch });
    await this.#afterChange();
  }

  /** Sends the coded error frame first (devtools hide upgrade bodies), then closes. */
  refuse(name: string, role: ConnectionRole | null, error: ProtocolError): void {
    this.host.send(name, errorFrame(error.code, error.message));
    this.host.close(name, error.closeCode, error.code);
    this.parts.stats.countRefusal(error.code);
    this.record({
      kind: 'refused',
      connection: name,
      role: role ?? undefined,
      code: error.code,
      detail: error.message,
    });
    this.log.warn('connection refused', {
      connection: name,
      role,
      code: error.code,
      reason: error.message,
    });
  }

  /**
   * Forgets a connection: resets the streams it carried and, when the room
   * is the one ending it, closes its socket with the code's close code.
   */
  drop(
    record: ConnectionRecord,
    why: { code: ErrorCode; message: string; close: boolean; kind: RoomEvent['kind'] },
  ): void {
    if (this.conns.get(record.name) !== record) return;
    this.conns.delete(record.name);
    const { relay } = this.parts;
    if (record.role === 'worker') {
      if (this.workerName === record.name) this.workerName = null;
      relay.workerLeft(why.code === 'replaced' ? 'replaced' : 'peer_gone', why.message);
    } else {
      relay.peerLeft(
        record.name,
        why.code === 'peer_timeout' ? 'peer_timeout' : 'peer_gone',
        why.message,
      );
    }
    if (why.close) {
      this.host.send(record.name, errorFrame(why.code, why.message));
      this.host.close(record.name, new ProtocolError(why.code).closeCode, why.code);
    }
    this.record({
      kind: why.kind,
      connection: record.name,
      role: record.role,
      code: why.code,
      detail: why.message,
    });
    this.log.info('connection ended', {
      connection: record.name,
      role: record.role,
      code: why.code,
    });
    if (record.role === 'peer') peersChanged(this);
  }

  async message(name: string, data: ArrayBuffer | ArrayBufferView | string): Promise<void> {
    const { stats, relay } = await this.ready();
    const record = this.conns.get(name);
    if (!record) return;
    // A billing figure: it rides along with real changes instead of causing flushes.
    stats.addQuietly('messagesIn');
    try {
      if (typeof data === 'string') {
        throw new ProtocolError('bad_frame', 'frames are binary WebSocket messages, not text');
      }
      const bytes = ArrayBuffer.isView(data)
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
      this.#dispatch(record, bytes, relay);
    } catch (error) {
      if (!isProtocolError(error)) {
        this.log.error('unexpected fault on a message', {
          connection: name,
          reason: String(error),
        });
      }
      this.refuseFrame(record, asProtocolError(error), null);
    }
    await this.#afterChange();
  }

  #dispatch(record: ConnectionRecord, bytes: Uint8Array, relay: Relay): void {
    const limit = record.limits?.maxFrameSize ?? this.config.maxFrameSize;
    let header;
    try {
      header = decodeHeader(bytes, limit);
    } catch (error) {
      this.refuseFrame(record, asProtocolError(error), bytes);
      return;
    }
    if (record.stage === 'hello') {
      completeHello(this, record, header, bytes);
    } else if (isStreamFrameType(header.type)) {
      if (record.role === 'worker') relay.fromWorker(header, bytes);
      else relay.fromPeer(record.name, header, bytes);
    } else {
      handleControl(this, record, header, bytes);
    }
  }

  /**
   * A frame the room will not take. The sender hears the code; if the frame
   * named one of its streams only that stream ends. A broken handshake
   * ends the connection.
   */
  refuseFrame(record: ConnectionRecord, error: ProtocolError, bytes: Uint8Array | null): void {
    const { stats, relay } = this.parts;
    stats.countRefusal(error.code);
    this.record({
      kind: 'frame-refused',
      connection: record.name,
      role: record.role,
      code: error.code,
      detail: error.message,
    });
    if (record.stage === 'hello') {
      this.drop(record, { code: error.code, message: error.message, close: true, kind: 'refused' });
      return;
    }
    if (bytes && relay.refuseFrame(record, error, bytes)) return;
    this.host.send(record.name, errorFrame(error.code, error.message));
  }

  async closed(name: string, code: number): Promise<void> {
    const { upkeep } = await this.ready();
    const record = this.conns.get(name);
    if (record) {
      const message = `socket closed (${code})`;
      this.drop(record, { code: 'peer_gone', message, close: false, kind: 'closed' });
    }
    if (await upkeep.flush(this.host.now())) this.#sendStats();
    await this.#afterChange();
  }

  async alarm(): Promise<void> {
    const { stats, upkeep } = await this.ready();
    upkeep.alarmFired();
    stats.addQuietly('alarmWakeups');
    const now = this.host.now();
    healthRound(this, now);
    if (await upkeep.flushIfDue(now)) this.#sendStats();
    await this.#afterChange();
  }

  /** The worker hears the room's figures whenever they are flushed (outgoing messages are free). */
  #sendStats(): void {
    const worker = this.worker;
    if (!worker || worker.stage !== 'open') return;
    const { stats, relay } = this.parts;
    const body = stats.view(this.host.now(), relay.openCount);
    this.host.send(worker.name, frame({ kind: 'stats', body: { ...body } }));
  }

  async #afterChange(): Promise<void> {
    const { upkeep } = this.parts;
    this.#notifyIndex();
    await upkeep.schedule(this.conns.values());
  }

  #notifyIndex(): void {
    const tenant = this.tenant;
    if (!tenant) return;
    const now = this.host.now();
    const peers = this.peers().filter((peer) => peer.stage === 'open').length;
    const worker = this.worker !== null;
    const shape = `${peers}/${worker}/${this.primary !== null}`;
    if (shape === this.#indexShape && now - this.#indexAt < this.config.indexUpdateMs) return;
    this.#indexShape = shape;
    this.#indexAt = now;
    this.host.notifyIndex({
      tenant,
      lastSeenAt: now,
      peers,
      worker,
      primary: this.primary !== null,
    });
  }

  /** The inspection answer; the token must be an admin token for this tenant or for all. */
  async inspect(token: string | null): Promise<Inspection> {
    const { stats, events, relay } = await this.ready();
    if (this.#configError || !this.#keys) throw this.#configError;
    await verifyToken(token, this.#keys, {
      tenant: this.tenant,
      roles: ['admin'],
      now: this.host.now(),
    });
    const now = this.host.now();
    return {
      tenant: this.tenant,
      now,
      highestEpoch: this.meta.highestEpoch,
      worker: workerInspection(this.worker),
      primary: this.primary,
      peers: this.peers().map(peerInspection),
      streams: relay.list(),
      bytesInFlight: relay.bytesInFlight,
      queuedBytes: relay.queuedBytes,
      tenantStatus: this.status,
      stats: stats.view(now, relay.openCount),
      events: events.list(),
    };
  }
}
