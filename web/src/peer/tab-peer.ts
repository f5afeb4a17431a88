import type { Legs, PeerState, TenantStatus } from '@pasarela/shared';
import { PeerConfigError } from './config.js';
import type { PeerOptions } from './config.js';
import { Emitter } from './events.js';
import type { PeerStatus } from './events.js';
import { browserLocks, electLeader } from './leader.js';
import type { Election, LockManagerLike } from './leader.js';
import { RelayPeer } from './peer.js';
import { resolvePeerConfig } from './resolve-config.js';
import { TabChannel } from './tab-channel.js';
import type { BroadcastChannelConstructor, TabCommand } from './tab-channel.js';

/** Where this tab stands in the browser's election. */
export type TabRole =
  /** Created, `start()` not called yet (or suspended into the back-forward cache). */
  | 'idle'
  /** Asking the lock manager. */
  | 'electing'
  /** Holds the lock: this tab runs the peer. */
  | 'leader'
  /** Another tab leads; this one waits in the lock's queue. */
  | 'standby'
  /** `stop()` was called. */
  | 'stopped';

/** What this tab knows of the browser's peer: its own when it leads, the leader's otherwise. */
export interface TabView {
  readonly role: TabRole;
  /** Null until the leader was heard from (a standby with no BroadcastChannel never hears). */
  readonly status: PeerStatus | null;
  readonly state: PeerState | null;
  readonly legs: Legs | null;
  readonly tenantStatus: TenantStatus | null;
}

export interface TabPeerEventMap {
  role: TabRole;
  view: TabView;
  /** The peer this tab created on becoming leader, or null when it stopped leading. */
  peer: RelayPeer | null;
  /** The lock manager failed; this tab leads nothing until `start()` is called again. */
  error: { readonly message: string };
}

export interface TabPeerOptions extends PeerOptions {
  /** Lock and channel name; defaults to one per tenant, so each tenant gets its own leader. */
  readonly election?: string;
  /** Defaults to `navigator.locks`; null opts out of the election (every tab leads). */
  readonly locks?: LockManagerLike | null;
  /** Defaults to the page's `BroadcastChannel`; null leaves standby tabs unaware of the leader. */
  readonly BroadcastChannel?: BroadcastChannelConstructor | null;
}

const EMPTY_VIEW = { status: null, state: null, legs: null, tenantStatus: null } as const;

/**
 * One relay peer per browser: every tab of the tenant's pages creates a
 * TabPeer, the tabs elect a leader with the Web Locks API, and only the
 * leader joins the room. When the leader's tab closes, the browser hands the
 * lock to a waiting tab, which creates a fresh peer and joins (DESIGN:
 * "Browsers"). The leader tells the other tabs what its peer reports over a
 * BroadcastChannel, and a standby tab's `pause()`, `resume()` and
 * `reconnect()` go to the leader the same way. A Service Worker would not
 * do: the browser stops it when idle, so it cannot hold the room socket.
 */
export class TabPeer {
  readonly #options: TabPeerOptions;
  readonly #events = new Emitter<TabPeerEventMap>();
  readonly #locks: LockManagerLike | null;
  readonly #channel: TabChannel | null;
  readonly #name: string;
  #role: TabRole = 'idle';
  #view: Omit<TabView, 'role'> = EMPTY_VIEW;
  #peer: RelayPeer | null = null;
  #election: Election | null = null;
  #unwatch: (() => void)[] = [];

  constructor(options: TabPeerOptions) {
    // Every tab checks the options now, not only the one that comes to lead.
    resolvePeerConfig({ ...options, page: null });
    this.#options = options;
    this.#name = options.election ?? `pasarela-peer:${options.tenant}`;
    this.#locks = options.locks === undefined ? browserLocks() : options.locks;
    if (options.locks === undefined && this.#locks === null) {
      throw new PeerConfigError(
        'locks',
        'the Web Locks API is missing: serve the page over https (a secure context), or pass null',
      );
    }
    const Channel =
      options.BroadcastChannel === undefined
        ? (globalThis as { BroadcastChannel?: BroadcastChannelConstructor }).BroadcastChannel
        : options.BroadcastChannel;
    this.#channel = Channel ? new TabChannel(Channel, this.#name) : null;
    this.#channel?.listen({
      view: (view) => this.#heard(view),
      ask: () => this.#broadcast(),
      command: (command) => this.#command(command),
    });
  }

  get role(): TabRole {
    return this.#role;
  }

  /** The peer this tab runs while it leads, for its detailed events and stats. */
  get peer(): RelayPeer | null {
    return this.#peer;
  }

  get view(): TabView {
    return { role: this.#role, ...this.#view };
  }

  on<K extends keyof TabPeerEventMap>(
    name: K,
    listener: (event: TabPeerEventMap[K]) => void,
  ): () => void {
    return this.#events.on(name, listener);
  }

  /** Joins the election; the tab leads at once if no other tab does. */
  start(): void {
    if (this.#role !== 'idle') return;
    this.#watchPageLifecycle();
    this.#elect();
  }

  /** Leaves for good: a leader stops its peer and hands the lock to the next tab. */
  stop(): void {
    if (this.#role === 'stopped') return;
    for (const unwatch of this.#unwatch) unwatch();
    this.#unwatch = [];
    this.#resign();
    this.#channel?.close();
    this.#setRole('stopped');
  }

  pause(): void {
    this.#apply('pause');
  }

  resume(): void {
    this.#apply('resume');
  }

  reconnect(): void {
    this.#apply('reconnect');
  }

  #elect(): void {
    if (!this.#locks) {
      this.#lead();
      return;
    }
    this.#setRole('electing');
    this.#election = electLeader(
      this.#locks,
      this.#name,
      (role) => (role === 'leader' ? this.#lead() : this.#standBy()),
      (error) => {
        this.#resign();
        this.#setRole('idle');
        this.#events.emit('error', { message: `Web Locks request failed: ${String(error)}` });
      },
    );
  }

  #standBy(): void {
    this.#setRole('standby');
    this.#channel?.send({ kind: 'ask' });
  }

  #lead(): void {
    // The staff's pause outlives the tab that carried it.
    const wasPaused = this.#view.state === 'paused';
    const peer = new RelayPeer(this.#options);
    this.#peer = peer;
    const update = (): void => {
      this.#view = {
        status: peer.status,
        state: peer.state,
        legs: peer.legs,
        tenantStatus: peer.tenantStatus,
      };
      this.#events.emit('view', this.view);
      this.#broadcast();
    };
    for (const name of ['status', 'state', 'legs', 'tenant-status'] as const) {
      peer.on(name, update);
    }
    if (wasPaused) peer.pause();
    this.#setRole('leader');
    this.#events.emit('peer', peer);
    peer.start();
    update();
  }

  #resign(): void {
    this.#election?.release();
    this.#election = null;
    if (this.#peer) {
      this.#peer.stop();
      this.#peer = null;
      this.#events.emit('peer', null);
    }
  }

  #apply(command: TabCommand): void {
    if (this.#peer) this.#peer[command]();
    else if (this.#role === 'standby') this.#channel?.send({ kind: 'command', command });
  }

  #command(command: TabCommand): void {
    if (this.#role === 'leader') this.#peer?.[command]();
  }

  #heard(view: Omit<TabView, 'role'>): void {
    if (this.#role === 'leader') return;
    this.#view = view;
    this.#events.emit('view', this.view);
  }

  #broadcast(): void {
    if (this.#role !== 'leader') return;
    this.#channel?.send({ kind: 'view', view: this.#view });
  }

  #setRole(role: TabRole): void {
    if (this.#role === role) return;
    this.#role = role;
    this.#events.emit('role', role);
    this.#events.emit('view', this.view);
  }

  /**
   * A page put in the back-forward cache keeps its JavaScript state but must
   * not hold the lock: it leaves the election and joins again if restored.
   */
  #watchPageLifecycle(): void {
    const scope = globalThis as Partial<Pick<Window, 'addEventListener' | 'removeEventListener'>>;
    const { addEventListener: listen, removeEventListener: unlisten } = scope;
    if (!listen || !unlisten || this.#options.page === null) return;
    const hidden = (event: Event): void => {
      if (!(event as PageTransitionEvent).persisted || this.#role === 'stopped') return;
      this.#resign();
      this.#setRole('idle');
    };
    const shown = (event: Event): void => {
      if ((event as PageTransitionEvent).persisted && this.#role === 'idle') this.#elect();
    };
    listen.call(globalThis, 'pagehide', hidden);
    listen.call(globalThis, 'pageshow', shown);
    this.#unwatch.push(() => {
      unlisten.call(globalThis, 'pagehide', hidden);
      unlisten.call(globalThis, 'pageshow', shown);
    });
  }
}

/** Creates a TabPeer; call `start()` to join the election. */
export function createTabPeer(options: TabPeerOptions): TabPeer {
  return new TabPeer(options);
}
