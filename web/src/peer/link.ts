import { agreeLimits, encodeMessage, HEADER_SIZE } from '@pasarela/shared';
import type { Limits, Message, Welcome } from '@pasarela/shared';
import type { DropReason } from './stats.js';
import { until, Wakeup } from './wakeup.js';

/** The part of partysocket a link writes to. */
export interface LinkSocket {
  send(data: Uint8Array): boolean;
  readonly bufferedAmount: number;
}

export interface LinkObserver {
  sent(bytes: number): void;
  dropped(reason: DropReason, message: Message): void;
}

/** Thrown into a stream's waits when its room socket is gone. */
export class LinkClosedError extends Error {
  override readonly name = 'LinkClosedError';
}

// WebSocket has no drain event in browsers, so a body chunk held back by a
// full socket buffer re-checks on every frame that arrives (credit frames
// keep coming while a transfer runs) and on this short timer.
const DRAIN_POLL_MS = 20;

/**
 * One room socket, from its open event to its close. Every stream belongs
 * to exactly one link; once the link is closed nothing it owns can reach the
 * room again, not even through a newer socket of the same partysocket
 * (F9: queued frames replayed into a new connection).
 */
export class RoomLink {
  readonly generation: number;
  readonly #socket: LinkSocket;
  readonly #observer: LinkObserver;
  readonly #ours: Limits;
  readonly #highWater: number;
  readonly #closed = new AbortController();
  readonly #drain = new Wakeup();
  #limits: Limits;
  #welcome: Welcome | null = null;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    generation: number,
    socket: LinkSocket,
    ours: Limits,
    highWater: number,
    observer: LinkObserver,
  ) {
    this.generation = generation;
    this.#socket = socket;
    this.#ours = ours;
    this.#limits = ours;
    this.#highWater = highWater;
    this.#observer = observer;
  }

  get alive(): boolean {
    return !this.#closed.signal.aborted;
  }

  /** Aborted, with a `LinkClosedError`, when the socket closes. */
  get signal(): AbortSignal {
    return this.#closed.signal;
  }

  get welcome(): Welcome | null {
    return this.#welcome;
  }

  /** Our limits until Welcome, then the agreed ones. */
  get limits(): Limits {
    return this.#limits;
  }

  /** The largest body chunk one frame can carry. */
  get maxChunk(): number {
    return this.#limits.maxFrameSize - HEADER_SIZE;
  }

  accept(welcome: Welcome): void {
    this.#welcome = welcome;
    this.#limits = agreeLimits(this.#ours, welcome.limits);
  }

  /** Sends one frame now; false (and counted) when this link is closed. */
  send(message: Message): boolean {
    if (!this.alive) {
      this.#observer.dropped('link-closed', message);
      return false;
    }
    const bytes = encodeMessage(message, this.#limits.maxFrameSize);
    // partysocket drops rather than queues here (`maxEnqueuedMessages: 0`).
    if (!this.#socket.send(bytes)) {
      this.#observer.dropped('link-closed', message);
      return false;
    }
    this.#observer.sent(bytes.byteLength);
    return true;
  }

  /** Waits until the socket's unsent bytes fall below the high-water mark. */
  async writable(signal: AbortSignal): Promise<void> {
    const ready = (): boolean => !this.alive || this.#socket.bufferedAmount <= this.#highWater;
    if (!ready()) {
      this.#scheduleDrainCheck();
      await until(ready, [this.#drain], signal);
    }
    if (!this.alive) throw new LinkClosedError('room socket closed');
  }

  /** Re-checks held-back senders; called for every frame received. */
  pulse(): void {
    if (this.#drain.waiting && this.#socket.bufferedAmount <= this.#highWater) {
      this.#drain.notify();
    }
  }

  close(): void {
    if (!this.alive) return;
    clearTimeout(this.#drainTimer);
    this.#closed.abort(new LinkClosedError('room socket closed'));
    this.#drain.notify();
  }

  #scheduleDrainCheck(): void {
    if (this.#drainTimer !== undefined) return;
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = undefined;
      this.pulse();
      if (this.#drain.waiting && this.alive) this.#scheduleDrainCheck();
    }, DRAIN_POLL_MS);
  }
}
