import { PROTOCOL_VERSION, ProtocolError } from '@pasarela/shared';
import type { FrameHeader } from '@pasarela/shared';
import { acceptHello } from './admission.js';
import { roomLimits } from './config.js';
import { frame, pingFrame } from './frames.js';
import { choosePrimary } from './peers.js';
import type { ConnectionRecord } from './records.js';
import { asProtocolError } from './problem.js';
import type { Room } from './room.js';
import { STORAGE_KEYS } from './upkeep.js';
import { presenceBody } from './views.js';

/** Who holds which place in the room: the one worker, the peers, the primary. */

export function admitWorker(room: Room, record: ConnectionRecord): void {
  const epoch = record.epoch ?? 0;
  if (epoch > room.meta.highestEpoch) {
    room.meta.highestEpoch = epoch;
    // Fencing must survive a restart, so this write is not batched.
    void room.host.storage.put({ [STORAGE_KEYS.meta]: { ...room.meta } });
  }
  const old = room.worker;
  if (old) {
    const why = `replaced by a worker connection with lease epoch ${epoch}`;
    room.drop(old, { code: 'replaced', message: why, close: true, kind: 'replaced' });
  }
  room.workerName = record.name;
}

/** False when the peer was refused. */
export function admitPeer(room: Room, record: ConnectionRecord): boolean {
  const twin = record.clientId
    ? room.peers().find((peer) => peer.clientId === record.clientId)
    : undefined;
  if (twin) {
    // The same tab reconnected: its older socket is dead or about to be.
    const why = 'replaced by a newer connection of the same client';
    room.drop(twin, { code: 'replaced', message: why, close: true, kind: 'replaced' });
  }
  if (room.peers().length >= room.config.maxPeers) {
    const error = new ProtocolError(
      'too_many_peers',
      `the room holds ${room.config.maxPeers} peers`,
    );
    room.refuse(record.name, 'peer', error);
    return false;
  }
  return true;
}

/**
 * The first frame arrived: a valid Hello opens the connection with the
 * agreed limits. A peer then gets the latest tenant status and a first ping,
 * so its health is known within one round trip; the worker gets presence.
 */
export function completeHello(
  room: Room,
  record: ConnectionRecord,
  header: FrameHeader,
  bytes: Uint8Array,
): void {
  let limits;
  try {
    limits = acceptHello(header, bytes, record.role, roomLimits(room.config));
  } catch (error) {
    room.refuseFrame(record, asProtocolError(error), null);
    return;
  }
  const now = room.host.now();
  record.limits = limits;
  record.stage = 'open';
  const welcome = {
    protocol: PROTOCOL_VERSION,
    role: record.role,
    tenant: room.tenant,
    connectionName: record.name,
    limits,
    serverTime: now,
  } as const;
  room.host.send(record.name, frame({ kind: 'welcome', body: welcome }));
  if (record.role === 'worker') {
    room.save(record);
    sendPresence(room);
    return;
  }
  if (room.status) room.host.send(record.name, frame({ kind: 'tenant-status', body: room.status }));
  record.lastPingAt = now;
  room.host.send(record.name, pingFrame(now));
  room.save(record);
  peersChanged(room);
}

/** Re-picks the primary and tells the worker; called on every peer change. */
export function peersChanged(room: Room): void {
  const now = room.host.now();
  const peers = room.peers();
  const next = choosePrimary(room.primary, peers);
  if (next !== room.primary) {
    const previous = room.primary;
    room.primary = next;
    for (const peer of peers) {
      const isPrimary = peer.name === next;
      if (peer.primary !== isPrimary) {
        peer.primary = isPrimary;
        room.save(peer);
      }
    }
    room.parts.stats.add('routeChanges');
    room.parts.stats.primaryChanged(next !== null, now);
    room.record({
      kind: 'primary',
      connection: next ?? undefined,
      detail: `from ${previous ?? 'none'} to ${next ?? 'none'}`,
    });
    room.log.info('primary changed', { from: previous, to: next });
  }
  sendPresence(room);
}

export function sendPresence(room: Room): void {
  const worker = room.worker;
  if (!worker || worker.stage !== 'open') return;
  const body = presenceBody(room.primary, room.peers());
  room.host.send(worker.name, frame({ kind: 'presence', body }));
}
