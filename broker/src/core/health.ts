import { pingFrame } from './frames.js';
import { beforePing, isPingDue } from './liveness.js';
import { peersChanged } from './membership.js';
import type { ConnectionRecord } from './records.js';
import type { Room } from './room.js';

/**
 * One alarm round: handshakes past their deadline are closed, and every
 * peer whose ping is due is pinged, or given up on after too many
 * unanswered pings although its socket may still look open.
 */
export function healthRound(room: Room, now: number): void {
  for (const record of [...room.conns.values()]) {
    if (record.stage === 'hello') {
      if (record.connectedAt + room.config.handshakeTimeoutMs <= now) {
        const message = `no Hello within ${room.config.handshakeTimeoutMs} ms`;
        room.drop(record, { code: 'handshake_required', message, close: true, kind: 'refused' });
      }
    } else if (record.role === 'peer' && isPingDue(record, now, room.config)) {
      pingOrGiveUp(room, record, now);
    }
  }
}

function pingOrGiveUp(room: Room, peer: ConnectionRecord, now: number): void {
  const outcome = beforePing(peer, room.config);
  if (outcome.kind === 'ping') {
    peer.lastPingAt = now;
    room.host.send(peer.name, pingFrame(now));
    room.save(peer);
    return;
  }
  const previous = peer.health;
  peer.health = 'gone';
  room.record({
    kind: 'health',
    connection: peer.name,
    role: 'peer',
    detail: `${previous} to gone`,
  });
  // The worker sees the peer gone before it disappears from the list.
  peersChanged(room);
  const message = `${outcome.missed} pings in a row went unanswered`;
  room.drop(peer, { code: 'peer_timeout', message, close: true, kind: 'closed' });
}
