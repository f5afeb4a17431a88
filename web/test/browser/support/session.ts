import { createHash } from 'node:crypto';
import type { CdpTab } from './cdp.js';
import { startPeer, untilPeerStatus } from './page.js';
import type { RoomWorker } from './room-worker.js';
import { PAGE_URL, ROOM_HOST } from './stack.js';
import type { Stack } from './stack.js';
import { PEER_DEFAULTS } from '../../../src/peer/index.js';
import type { PeerOptions } from '../../../src/peer/index.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An upload's token: the SHA-256 of the body in URL-safe base64 without padding. */
export function uploadToken(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

export interface JoinedTab {
  readonly tenant: string;
  readonly worker: RoomWorker;
  readonly tab: CdpTab;
  /** The room's id of the tab's peer. */
  readonly peerId: string;
  /** Milliseconds from `start()` in the page to the room naming the peer primary and healthy. */
  readonly joinMs: number;
}

/**
 * A tenant's worker in the room, a page of the restaurant open in Chromium
 * with its peer started, and the room's word (Presence) that this peer is
 * the healthy primary. `boundMs` comes from the caller's configuration.
 */
export async function joinTab(
  stack: Stack,
  label: string,
  boundMs: number,
  peer: Partial<PeerOptions> = {},
  tab?: CdpTab,
): Promise<JoinedTab> {
  const tenant = stack.tenant(label);
  const worker = await stack.worker(tenant);
  const page = tab ?? (await openPage(stack));
  const started = Date.now();
  await startPeer(page, { tenant, roomHost: ROOM_HOST, peer });
  await untilPeerStatus(page, 'connected', boundMs);
  const presence = await worker.untilPresence(
    'a healthy primary',
    (p) => p.peers.some((entry) => entry.peerId === p.primary && entry.health === 'healthy'),
    boundMs,
  );
  const joinMs = Date.now() - started;
  // The peer probes its legs on joining, with requests of its own to WhatsApp's hosts: a case
  // starts once the room has their outcome, so its own requests never share a window with them.
  await worker.untilPresence(
    "the primary's legs probed",
    (p) =>
      p.peers.some(
        (entry) =>
          entry.peerId === p.primary &&
          Object.values(entry.legs).every((leg) => leg.status !== 'unprobed'),
      ),
    boundMs + PEER_DEFAULTS.probeTimeoutMs,
  );
  return { tenant, worker, tab: page, peerId: presence.primary ?? '', joinMs };
}

/** A new tab of the restaurant's page, in front of the others (which it hides). */
export function openPage(stack: Stack): Promise<CdpTab> {
  if (!stack.browser) throw new Error('the stack runs no browser');
  return stack.browser.openTab(PAGE_URL);
}
