/**
 * The test page's script: the peer library exactly as a restaurant page
 * uses it (the page's own fetch, WebSocket, Web Locks and BroadcastChannel),
 * plus a small surface the suite reads through the DevTools protocol. It
 * never overrides anything the browser decides (visibility, focus, timers).
 */
import { createTabPeer } from '../../../src/peer/index.js';
import type { PeerOptions, RelayPeer, TabPeer } from '../../../src/peer/index.js';

export interface HarnessConfig {
  readonly tenant: string;
  /** The room's host name, reached over wss. */
  readonly roomHost: string;
  /** Peer options that survive JSON (reconnect, probes, timeouts, limits). */
  readonly peer?: Partial<PeerOptions>;
}

export interface LogEntry {
  readonly at: number;
  readonly name: string;
  readonly detail: unknown;
}

const log: LogEntry[] = [];
const timerFires: number[] = [];
let tab: TabPeer | null = null;
let tokensFetched = 0;

function record(name: string, detail: unknown): void {
  log.push({ at: Date.now(), name, detail });
}

const PEER_EVENTS = [
  'status',
  'legs',
  'state',
  'stream-start',
  'stream-end',
  'error',
  'dropped',
  'room-error',
  'tenant-status',
] as const;

function watchPeer(peer: RelayPeer): void {
  for (const name of PEER_EVENTS) peer.on(name, (event) => record(name, event));
}

async function peerToken(tenant: string): Promise<string> {
  // The restaurant's own backend signs it (here: the page server).
  const response = await fetch(`/token?tenant=${encodeURIComponent(tenant)}`, {
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
  tokensFetched += 1;
  return response.text();
}

const harness = {
  start(config: HarnessConfig): void {
    if (tab) throw new Error('the harness runs one TabPeer per page');
    tab = createTabPeer({
      ...config.peer,
      host: config.roomHost,
      protocol: 'wss',
      tenant: config.tenant,
      getToken: () => peerToken(config.tenant),
    });
    tab.on('role', (role) => record('role', role));
    tab.on('peer', (peer) => {
      record('peer', peer ? 'created' : 'gone');
      if (peer) watchPeer(peer);
    });
    tab.on('view', (view) => record('view', view));
    tab.on('error', (error) => record('tab-error', error));
    tab.start();
  },

  stop(): void {
    tab?.stop();
  },

  pause(): void {
    tab?.pause();
  },

  resume(): void {
    tab?.resume();
  },

  /** What the suite asserts on, in one structured-clone-safe object. */
  snapshot() {
    const peer = tab?.peer ?? null;
    return {
      role: tab?.role ?? null,
      view: tab?.view ?? null,
      status: peer?.status ?? null,
      legs: peer?.legs ?? null,
      stats: peer?.stats() ?? null,
      welcome: peer?.welcome ?? null,
      tokensFetched,
      visibility: document.visibilityState,
      hasFocus: document.hasFocus(),
    };
  },

  log(since = 0): LogEntry[] {
    return log.slice(since);
  },

  /** A chained timer, each run scheduling the next: what a hidden tab throttles. */
  startChainedTimer(intervalMs: number): void {
    const tick = (): void => {
      timerFires.push(Date.now());
      setTimeout(tick, intervalMs);
    };
    setTimeout(tick, intervalMs);
  },

  timerFires(): number[] {
    return [...timerFires];
  },
};

export type Harness = typeof harness;

(globalThis as { harness?: Harness }).harness = harness;
