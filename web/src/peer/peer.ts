import type { ErrorCode, Legs, PeerState, TenantStatus, Welcome } from '@pasarela/shared';
import { InFlightBudget } from './budget.js';
import type { PeerConfig, PeerOptions } from './config.js';
import { PeerEvents } from './events.js';
import type { PeerEventMap, PeerListener, PeerStatus, StatusEvent } from './events.js';
import { legsAfter } from './leg-evidence.js';
import { PeerLedger } from './ledger.js';
import { watchPage } from './page-signals.js';
import { probeLegs, UNPROBED_LEGS, worthProbingAgain } from './probes.js';
import { resolvePeerConfig } from './resolve-config.js';
import { RoomConnection } from './room-connection.js';
import type { SocketLoss } from './room-connection.js';
import { RoomSession } from './room-session.js';
import type { SessionHooks, SessionShared } from './room-session.js';
import type { PeerStats } from './stats.js';
import { canStreamRequestBodies } from './streaming.js';

type WakeCause = NonNullable<StatusEvent['cause']>;

/**
 * A browser peer of one tenant: joins the tenant's room, answers its pings,
 * relays the HTTP exchanges and upstream WebSockets the worker opens, and
 * tells the page the truth through events. The lifecycle status changes in
 * one place (`#setStatus`).
 */
export class RelayPeer {
  readonly #config: PeerConfig;
  readonly #events = new PeerEvents();
  readonly #ledger: PeerLedger;
  readonly #connection: RoomConnection;
  readonly #shared: SessionShared;
  readonly #hooks: SessionHooks;
  #status: PeerStatus = 'idle';
  #state: PeerState = 'active';
  #legs: Legs = UNPROBED_LEGS;
  #probedAt: number | null = null;
  #probing: Promise<Legs> | null = null;
  #probeRetryTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The wait before the next retry of a failed probe; null while no leg failed for a passing cause.
   */
  #probeRetryMs: number | null = null;
  #tenantStatus: TenantStatus | null = null;
  #session: RoomSession | null = null;
  #generation = 0;
  #lastFrameAt = 0;
  #roomError: ErrorCode | undefined;
  #cause: WakeCause | undefined;
  #handshakeTimer: ReturnType<typeof setTimeout> | undefined;
  #silenceTimer: ReturnType<typeof setInterval> | undefined;
  #unwatchPage: (() => void) | null = null;

  constructor(options: PeerOptions) {
    this.#config = resolvePeerConfig(options);
    this.#ledger = new PeerLedger(this.#events, this.#config.now);
    this.#shared = {
      config: this.#config,
      budget: new InFlightBudget(this.#config.maxBytesInFlight),
      bodyModes: new Map(),
      canStream: canStreamRequestBodies(),
    };
    this.#hooks = this.#sessionHooks();
    this.#connection = new RoomConnection(this.#config, {
      attempt: () => this.#onAttempt(),
      open: () => this.#onOpen(),
      message: (data) => {
        this.#lastFrameAt = this.#config.now();
        this.#session?.receive(data);
      },
      lost: (wasOpen, loss) => this.#onLost(wasOpen, loss),
    });
  }

  get status(): PeerStatus {
    return this.#status;
  }

  get state(): PeerState {
    return this.#state;
  }

  get legs(): Legs {
    return this.#legs;
  }

  get tenantStatus(): TenantStatus | null {
    return this.#tenantStatus;
  }

  /** The room's Welcome on the current socket, with the agreed limits. */
  get welcome(): Welcome | null {
    return this.#session?.link.welcome ?? null;
  }

  on<K extends keyof PeerEventMap>(name: K, listener: PeerListener<K>): () => void {
    return this.#events.on(name, listener);
  }

  off<K extends keyof PeerEventMap>(name: K, listener: PeerListener<K>): void {
    this.#events.off(name, listener);
  }

  stats(): PeerStats {
    return this.#ledger.snapshot(this.#session?.activeStreams ?? 0);
  }

  /** Joins the room. From then on, page focus, visibility and `online` revive it. */
  start(): void {
    if (this.#status !== 'idle') return;
    this.#setStatus({ status: 'connecting' });
    const { page, roomSilenceMs } = this.#config;
    if (page) this.#unwatchPage = watchPage(page, (cause) => this.#revive(cause));
    this.#silenceTimer = setInterval(() => this.#checkSilence(), Math.ceil(roomSilenceMs / 3));
    this.#connection.start();
  }

  /** Leaves the room for good: every stream ends and nothing reconnects. */
  stop(): void {
    if (this.#status === 'stopped') return;
    this.#unwatchPage?.();
    this.#unwatchPage = null;
    clearInterval(this.#silenceTimer);
    clearTimeout(this.#handshakeTimer);
    clearTimeout(this.#probeRetryTimer);
    this.#session?.stop();
    this.#session = null;
    this.#setStatus({ status: 'stopped' });
    this.#connection.stop();
  }

  /** Replaces the room socket now with a fresh retry count, even after the retries ran out. */
  reconnect(): void {
    this.#restart('caller');
  }

  /** Staff pause: the peer stays joined and says so; new streams get `peer_paused`. */
  pause(): void {
    this.#setState('paused');
  }

  resume(): void {
    this.#setState('active');
  }

  /** Probes every configured leg now and reports the result to the room. */
  probe(): Promise<Legs> {
    this.#probing ??= probeLegs(this.#config)
      .then((legs) => {
        this.#probedAt = this.#config.now();
        this.#applyLegs(legs);
        this.#retryProbeLater(legs);
        return legs;
      })
      .finally(() => {
        this.#probing = null;
      });
    return this.#probing;
  }

  /**
   * A leg lost to a passing failure (a network blip, a slow line) would
   * otherwise stay unavailable until `reprobeAfterMs`, keeping the tab off
   * the tunnel for minutes: probe again sooner, backing off while it fails.
   */
  #retryProbeLater(legs: Legs): void {
    clearTimeout(this.#probeRetryTimer);
    if (!worthProbingAgain(legs)) {
      this.#probeRetryMs = null;
      return;
    }
    const { probeRetryMs, reprobeAfterMs } = this.#config;
    const wait =
      this.#probeRetryMs === null ? probeRetryMs : Math.min(this.#probeRetryMs * 2, reprobeAfterMs);
    this.#probeRetryMs = wait;
    this.#probeRetryTimer = setTimeout(() => {
      if (this.#status === 'connected') void this.probe();
    }, wait);
  }

  #setStatus(event: StatusEvent): void {
    this.#status = event.status;
    this.#events.emit('status', event);
  }

  #setState(state: PeerState): void {
    if (this.#state === state) return;
    this.#state = state;
    this.#events.emit('state', state);
    this.#sendPeerState();
  }

  #applyLegs(legs: Legs): void {
    this.#legs = legs;
    this.#events.emit('legs', legs);
    this.#sendPeerState();
  }

  #sendPeerState(): void {
    const link = this.#session?.link;
    if (!link?.welcome) return;
    link.send({ kind: 'peer-state', body: { state: this.#state, legs: this.#legs } });
  }

  #restart(cause: WakeCause): void {
    if (this.#status === 'idle' || this.#status === 'stopped') return;
    this.#cause = cause;
    this.#connection.reconnect();
  }

  /**
   * A page wake: a socket down or gone silent is replaced; a healthy one is
   * left alone, and so is one the room ended for good (`replaced`,
   * `version_mismatch`): only an explicit `reconnect()` tries again then.
   */
  #revive(cause: WakeCause): void {
    if (this.#status === 'idle' || this.#status === 'stopped') return;
    if (this.#connection.fatal) return;
    if (this.#connection.isOpen) this.#checkSilence();
    else if (!this.#connection.isConnecting) this.#restart(cause);
  }

  #checkSilence(): void {
    if (!this.#session) return;
    if (this.#config.now() - this.#lastFrameAt > this.#config.roomSilenceMs) {
      this.#restart('room-silent');
    }
  }

  #onAttempt(): void {
    this.#ledger.attempt();
    if (this.#status === 'connecting') return;
    this.#setStatus({ status: 'connecting', ...(this.#cause ? { cause: this.#cause } : {}) });
  }

  #onOpen(): void {
    const socket = this.#connection.socket;
    this.#generation += 1;
    this.#roomError = undefined;
    this.#lastFrameAt = this.#config.now();
    this.#ledger.socketOpened();
    const session = new RoomSession(
      this.#generation,
      {
        // partysocket's `send` types only ArrayBuffer-backed views; the codec's are.
        send: (bytes) => socket.send(bytes as Uint8Array<ArrayBuffer>),
        get bufferedAmount() {
          return socket.bufferedAmount;
        },
      },
      this.#shared,
      this.#hooks,
    );
    this.#session = session;
    session.hello();
    this.#setStatus({ status: 'handshaking' });
    clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = setTimeout(() => {
      if (this.#session === session && !session.link.welcome) this.#restart('handshake-timeout');
    }, this.#config.handshakeTimeoutMs);
  }

  #onLost(wasOpen: boolean, loss: SocketLoss): void {
    clearTimeout(this.#handshakeTimer);
    if (wasOpen) {
      this.#session?.close();
      this.#session = null;
    }
    if (this.#status === 'stopped') return;
    const errorCode = loss.errorCode ?? this.#roomError;
    const cause = this.#cause;
    this.#cause = undefined;
    this.#setStatus({
      status: loss.willRetry ? 'connecting' : 'offline',
      ...(loss.closeCode === undefined ? {} : { closeCode: loss.closeCode }),
      ...(errorCode === undefined ? {} : { errorCode }),
      ...(cause === undefined ? {} : { cause }),
      willRetry: loss.willRetry,
    });
  }

  #sessionHooks(): SessionHooks {
    return {
      admission: () => ({
        paused: this.#state === 'paused',
        maxStreams: Math.min(
          this.#config.maxStreams,
          this.#session?.link.limits.maxStreams ?? this.#config.maxStreams,
        ),
      }),
      welcomed: (welcome) => {
        clearTimeout(this.#handshakeTimer);
        this.#ledger.joined();
        this.#setStatus({ status: 'connected' });
        this.#events.emit('welcome', welcome);
        this.#sendPeerState();
        const fresh =
          this.#probedAt !== null &&
          this.#config.now() - this.#probedAt < this.#config.reprobeAfterMs &&
          !worthProbingAgain(this.#legs);
        const { websocket, download, upload } = this.#config.probes;
        if (!fresh && (websocket || download || upload)) void this.probe();
      },
      roomError: (body) => {
        this.#roomError = body.code;
        this.#events.emit('room-error', body);
      },
      tenantStatus: (body) => {
        this.#tenantStatus = body;
        this.#events.emit('tenant-status', body);
      },
      roomStats: (body) => this.#events.emit('room-stats', body),
      pinged: () => this.#ledger.pinged(),
      received: (bytes) => this.#ledger.received(bytes),
      sent: (bytes) => this.#ledger.sent(bytes),
      started: (stream) => this.#ledger.started(stream),
      finished: (stream, result) => {
        this.#ledger.finished(stream, result);
        const legs = legsAfter(this.#legs, stream.leg, result.outcome);
        if (legs !== this.#legs) this.#applyLegs(legs);
      },
      refused: (ids, code, message) => this.#ledger.refused(ids, code, message),
      dropped: (reason, message) => this.#ledger.dropped(reason, message),
      fault: (error) => this.#events.emit('error', { code: error.code, message: error.message }),
    };
  }
}
