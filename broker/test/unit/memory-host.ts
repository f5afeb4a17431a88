import { decodeMessage, encodeMessage, PROTOCOL_DEFAULTS, signToken } from '@pasarela/shared';
import type { Message, MessageKind, Role, TokenKeySet } from '@pasarela/shared';
import { parseBrokerConfig } from '../../src/core/config.js';
import type { BrokerConfig } from '../../src/core/config.js';
import type { RoomHost, RoomIndexEntry, RoomStorage } from '../../src/core/host.js';
import { silentLogger } from '../../src/core/log.js';
import type { ConnectionRecord } from '../../src/core/records.js';
import { Room } from '../../src/core/room.js';

export const KEYS: TokenKeySet = {
  signingKeyId: 'unit',
  keys: { unit: 'unit-test-secret-0123456789-0123456789' },
};
export const START = 1_767_225_600_000; // 2026-01-01T00:00:00Z
const LIMIT = 1024 * 1024;

interface FakeSocket {
  record: ConnectionRecord | null;
  sent: Uint8Array[];
  closed: { code: number; reason: string } | null;
}

/**
 * A runtime in memory: sockets, their attachments, storage and one alarm.
 * Records and stored values are cloned the way a runtime serialises them,
 * so a second Room over the same host sees only what survived
 * "hibernation".
 */
export class MemoryHost implements RoomHost {
  readonly sockets = new Map<string, FakeSocket>();
  readonly stored = new Map<string, unknown>();
  readonly index: RoomIndexEntry[] = [];
  alarm: number | null = null;
  held = false;
  clock = START;
  writes = 0;
  readonly log = silentLogger;
  readonly storage: RoomStorage = {
    get: async <T>(key: string) => structuredClone(this.stored.get(key)) as T | undefined,
    put: async (entries) => {
      for (const [key, value] of Object.entries(entries)) {
        this.stored.set(key, structuredClone(value));
        this.writes += 1;
      }
    },
  };

  bind(name: string): void {
    this.sockets.set(name, { record: null, sent: [], closed: null });
  }

  send(name: string, frame: Uint8Array): boolean {
    const socket = this.sockets.get(name);
    if (!socket || socket.closed) return false;
    socket.sent.push(frame.slice());
    return true;
  }

  close(name: string, code: number, reason: string): void {
    const socket = this.sockets.get(name);
    if (socket) socket.closed = { code, reason };
  }

  saveRecord(name: string, record: ConnectionRecord): void {
    const socket = this.sockets.get(name);
    if (socket) socket.record = structuredClone(record);
  }

  openConnections(): Array<{ name: string; record: ConnectionRecord }> {
    return [...this.sockets.entries()]
      .filter(([, socket]) => socket.record !== null && socket.closed === null)
      .map(([name, socket]) => ({ name, record: structuredClone(socket.record!) }));
  }

  async setAlarm(at: number | null): Promise<void> {
    this.alarm = at;
  }

  async getAlarm(): Promise<number | null> {
    return this.alarm;
  }

  holdAwake(on: boolean): void {
    this.held = on;
  }

  notifyIndex(entry: RoomIndexEntry): void {
    this.index.push(entry);
  }

  now(): number {
    return this.clock;
  }

  /** Decoded frames a socket received since the last call. */
  take(name: string): Message[] {
    const socket = this.sockets.get(name);
    if (!socket) return [];
    return socket.sent.splice(0).map((frame) => decodeMessage(frame, LIMIT));
  }

  /** Decoded frames of one kind; frames of other kinds stay for later. */
  takeKind<K extends MessageKind>(name: string, kind: K): Array<Extract<Message, { kind: K }>> {
    const socket = this.sockets.get(name);
    if (!socket) return [];
    const taken: Array<Extract<Message, { kind: K }>> = [];
    const kept: Uint8Array[] = [];
    for (const bytes of socket.sent) {
      const message = decodeMessage(bytes, LIMIT);
      if (message.kind === kind) taken.push(message as Extract<Message, { kind: K }>);
      else kept.push(bytes);
    }
    socket.sent = kept;
    return taken;
  }
}

export const UNIT_CONFIG: BrokerConfig = parseBrokerConfig({
  pingIntervalMs: 1_000,
  goneAfterMissedPings: 2,
  degradedRttMs: 300,
  statsFlushMs: 2_000,
  heartbeatPersistMs: 60_000,
  maxBytesInFlight: 1_048_576,
  maxQueuedBytes: 524_288,
});

export function newRoom(host: MemoryHost, config: BrokerConfig = UNIT_CONFIG): Room {
  return new Room({ host, tenant: 'taqueria', config, keys: KEYS });
}

export function frame(message: Message): Uint8Array {
  return encodeMessage(message, LIMIT);
}

/** Connects and says Hello; returns the room's name for the socket. */
export async function join(
  room: Room,
  host: MemoryHost,
  role: Extract<Role, 'worker' | 'peer'>,
  options: { epoch?: number; clientId?: string; pong?: boolean } = {},
): Promise<string> {
  const token = await signToken(
    {
      tenant: 'taqueria',
      role,
      ttlSeconds: 600,
      now: host.clock,
      ...(role === 'worker' ? { epoch: options.epoch ?? 1 } : {}),
    },
    KEYS,
  );
  let name = '';
  const query = `token=${token}${options.clientId ? `&_pk=${options.clientId}` : ''}`;
  await room.connect(
    { url: `https://room.test/parties/tunnel/taqueria?${query}`, userAgent: 'unit' },
    (bound) => {
      name = bound;
      host.bind(bound);
    },
  );
  const hello = {
    protocol: 1,
    role,
    software: 'unit',
    capabilities: [],
    limits: PROTOCOL_DEFAULTS,
  };
  await room.message(name, frame({ kind: 'hello', body: hello }));
  if (role === 'peer' && options.pong !== false) await pong(room, host, name);
  return name;
}

/** Answers every ping the peer has received, after `delayMs` of clock. */
export async function pong(
  room: Room,
  host: MemoryHost,
  peer: string,
  delayMs = 20,
): Promise<void> {
  const pings = host.takeKind(peer, 'ping');
  host.clock += delayMs;
  for (const ping of pings) {
    await room.message(peer, frame({ kind: 'pong', sentAt: ping.sentAt, repliedAt: host.clock }));
  }
}
