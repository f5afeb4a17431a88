import type { Message, PeerHealth } from '@pasarela/shared';
import type { Inspection } from '../../src/core/views.js';
import { RoomClient, tokenFor } from './client.js';
import type { ClientOptions } from './client.js';
import type { BehaviourTarget } from './target.js';

/** A fresh tenant per test, so tests never share a room. */
export function newTenant(label: string): string {
  const suffix = [...crypto.getRandomValues(new Uint8Array(6))]
    .map((byte) => (byte % 36).toString(36))
    .join('');
  return `${label}-${suffix}`;
}

export function requestHead(streamId: number, connectionId = 1, bodyLength = 0): Message {
  return {
    kind: 'request-head',
    streamId,
    connectionId,
    body: {
      method: bodyLength > 0 ? 'POST' : 'GET',
      url: `https://mmg.whatsapp.net/d/f/${streamId}.enc`,
      headers: [['accept', '*/*']],
      deadlineMs: 30_000,
      replaySafe: bodyLength === 0,
      bodyLength,
      leg: bodyLength > 0 ? 'upload' : 'download',
    },
  };
}

export function responseHead(streamId: number, connectionId = 1, status = 200): Message {
  return {
    kind: 'response-head',
    streamId,
    connectionId,
    body: {
      status,
      statusText: 'OK',
      headers: [['content-type', 'application/octet-stream']],
      url: `https://mmg.whatsapp.net/d/f/${streamId}.enc`,
      redirected: false,
      opaque: false,
      droppedRequestHeaders: [],
      partialHeaders: true,
    },
  };
}

export async function adminToken(target: BehaviourTarget, tenant = '*'): Promise<string> {
  return tokenFor(target, { role: 'admin', tenant });
}

export async function inspect(target: BehaviourTarget, tenant: string): Promise<Inspection> {
  const response = await target.fetch(`/admin/rooms/${tenant}`, {
    headers: { authorization: `Bearer ${await adminToken(target)}` },
  });
  if (response.status !== 200) {
    throw new Error(`inspection of ${tenant}: ${response.status} ${await response.text()}`);
  }
  return (await response.json()) as Inspection;
}

/**
 * Polls until `probe` returns a value, for at most `boundMs`; returns the
 * value and how long it took, so tests can print the measured figure.
 */
export async function waitFor<T>(
  what: string,
  boundMs: number,
  probe: () => Promise<T | undefined | null | false>,
  everyMs = 50,
): Promise<{ value: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    const elapsedMs = Date.now() - started;
    if (value !== undefined && value !== null && value !== false) return { value, elapsedMs };
    if (elapsedMs > boundMs) throw new Error(`${what}: not within ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Waits until the worker's presence shows a peer with the given health. */
export async function presenceShows(
  worker: RoomClient,
  peer: string,
  health: PeerHealth,
  timeoutMs?: number,
): Promise<Extract<Message, { kind: 'presence' }>> {
  return worker.next(
    'presence',
    (m) => m.body.peers.some((info) => info.peerId === peer && info.health === health),
    timeoutMs,
  );
}

/**
 * A peer that has answered its first ping, so the room may pick it as
 * primary; with `primary`, waits until the worker hears that it is.
 */
export async function healthyPeer(
  target: BehaviourTarget,
  worker: RoomClient,
  options: Omit<ClientOptions, 'role'> & { primary?: boolean },
): Promise<RoomClient> {
  const peer = await RoomClient.connect(target, { ...options, role: 'peer' });
  await worker.next('presence', (m) =>
    m.body.peers.some(
      (info) =>
        info.peerId === peer.name &&
        info.health === 'healthy' &&
        (!options.primary || m.body.primary === peer.name),
    ),
  );
  return peer;
}

/** A worker and one healthy primary peer for a fresh tenant. */
export async function workerAndPeer(
  target: BehaviourTarget,
  label: string,
): Promise<{ tenant: string; worker: RoomClient; peer: RoomClient }> {
  const tenant = newTenant(label);
  const worker = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
  const peer = await healthyPeer(target, worker, { tenant, primary: true });
  return { tenant, worker, peer };
}
