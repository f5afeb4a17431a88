import { FrameOutbox } from '@pasarela/shared';
import type { FramePriority } from '@pasarela/shared';

/** The part of a WebSocket the sender writes to. */
export interface SendingSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array<ArrayBuffer>): void;
}

const OPEN = 1;

/**
 * Frames on their way to the room: two lanes (control frames and WebSocket
 * messages before body chunks), written while the socket's send buffer is
 * under its high-water mark, and a wait for body senders until it is.
 */
export class LinkSender {
  readonly #outbox = new FrameOutbox<Uint8Array>();
  readonly #waiting: Array<() => void> = [];
  readonly #highWater: number;
  #socket: SendingSocket | null = null;
  #timer: NodeJS.Timeout | undefined;

  constructor(highWater: number) {
    this.#highWater = highWater;
  }

  /** The socket frames go to from now on; null drops what is queued. */
  use(socket: SendingSocket | null): void {
    this.#socket = socket;
    if (!socket) this.clear();
  }

  push(frame: Uint8Array, lane: FramePriority): void {
    this.#outbox.push(frame, lane);
    this.#drain();
  }

  /** Whether a body chunk may go now without growing the send buffer past its mark. */
  writable(): boolean {
    const socket = this.#socket;
    if (!socket) return true;
    return this.#outbox.size === 0 && socket.bufferedAmount <= this.#highWater;
  }

  /** Resolves once `writable()`, or once the socket is gone. */
  whenWritable(): Promise<void> {
    if (this.writable()) return Promise.resolve();
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#schedule();
    });
  }

  clear(): void {
    this.#outbox.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#wake();
  }

  #drain(): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== OPEN) {
      this.clear();
      return;
    }
    for (let frame = this.#outbox.shift(); frame; frame = this.#outbox.shift()) {
      socket.send(frame as Uint8Array<ArrayBuffer>);
      if (socket.bufferedAmount > this.#highWater && this.#outbox.size > 0) break;
    }
    if (this.#outbox.size > 0 || socket.bufferedAmount > this.#highWater) this.#schedule();
    if (this.writable()) this.#wake();
  }

  // WebSocket has no drain event in the browser API partysocket offers, so
  // a full send buffer is looked at again on a short timer while it lasts.
  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#drain();
    }, 2);
  }

  #wake(): void {
    for (const wake of this.#waiting.splice(0)) wake();
  }
}
