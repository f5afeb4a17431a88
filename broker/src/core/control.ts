import { decodeMessage, frameTypeName, ProtocolError } from '@pasarela/shared';
import type { FrameHeader, Message } from '@pasarela/shared';
import { pongFrame } from './frames.js';
import { afterPong } from './liveness.js';
import { peersChanged } from './membership.js';
import type { ConnectionRecord } from './records.js';
import type { Room } from './room.js';
import { STORAGE_KEYS } from './upkeep.js';

/**
 * Connection frames (stream 0) after the handshake. Unlike bodies, these
 * are small and meant for the room, so it decodes them.
 */
export function handleControl(
  room: Room,
  record: ConnectionRecord,
  header: FrameHeader,
  bytes: Uint8Array,
): void {
  const message = decodeMessage(bytes, bytes.byteLength);
  const now = room.host.now();
  switch (message.kind) {
    case 'ping':
      room.host.send(record.name, pongFrame(message.sentAt, now));
      return;
    case 'pong':
      if (record.role !== 'peer') break;
      onPong(room, record, message.sentAt, now);
      return;
    case 'peer-state':
      if (record.role !== 'peer') break;
      onPeerState(room, record, message);
      return;
    case 'tenant-status':
      if (record.role !== 'worker') break;
      onTenantStatus(room, message, bytes);
      return;
    case 'error':
      // The sender is about to close; its close event does the cleanup.
      room.record({
        kind: 'frame-refused',
        connection: record.name,
        role: record.role,
        code: message.body.code,
        detail: `the ${record.role} reported: ${message.body.message}`,
      });
      return;
    case 'hello':
      throw new ProtocolError('bad_frame', 'Hello was already received on this connection');
  }
  throw new ProtocolError(
    'bad_frame',
    `${frameTypeName(header.type)} is not accepted from a ${record.role}`,
  );
}

function onPong(room: Room, peer: ConnectionRecord, sentAt: number, now: number): void {
  const result = afterPong(peer, sentAt, now, room.config);
  if (!result) return;
  room.parts.stats.heartbeat(now, result.rttMs);
  room.save(peer);
  if (result.previous !== result.health) {
    room.record({
      kind: 'health',
      connection: peer.name,
      role: 'peer',
      detail: `${result.previous} to ${result.health} (${peer.rttMs} ms)`,
    });
    peersChanged(room);
  }
}

function onPeerState(
  room: Room,
  peer: ConnectionRecord,
  message: Extract<Message, { kind: 'peer-state' }>,
): void {
  const { state, legs } = message.body;
  const changed = state !== peer.state;
  peer.state = state;
  peer.legs = legs;
  room.save(peer);
  if (changed) room.record({ kind: 'state', connection: peer.name, role: 'peer', detail: state });
  peersChanged(room);
}

/**
 * The worker's word on the tenant goes to every peer, standby and paused
 * ones included, byte for byte; the latest is kept for peers that join
 * later. It changes rarely, so it is written at once.
 */
function onTenantStatus(
  room: Room,
  message: Extract<Message, { kind: 'tenant-status' }>,
  bytes: Uint8Array,
): void {
  room.status = message.body;
  void room.host.storage.put({ [STORAGE_KEYS.status]: message.body });
  room.parts.stats.addQuietly('storageWrites');
  for (const peer of room.peers()) {
    if (peer.stage === 'open') room.host.send(peer.name, bytes);
  }
}
