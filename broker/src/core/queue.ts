import type { Direction, Stream } from './streams.js';

export interface PendingFrame {
  readonly stream: Stream;
  readonly direction: Direction;
  readonly frame: Uint8Array;
  /** Body payload bytes; 0 for the stream's other frames waiting behind its chunks. */
  readonly bodyBytes: number;
  /** `WORKER_ENDED` or `PEER_ENDED` when the frame is an `End`; 0 otherwise. */
  readonly endBit: number;
}

/**
 * Body chunks that wait for the tenant's bytes in flight to fall under the
 * cap, in arrival order. Only `Body` frames start waiting; a later frame of
 * the same stream (its `End`) waits behind them so the stream keeps its
 * order. Every other frame (control, WebSocket messages, other streams'
 * heads) never enters, which is what puts control and WebSocket traffic
 * ahead of bulk chunks in the room.
 */
export class TenantQueue {
  #items: PendingFrame[] = [];
  #head = 0;
  #bytes = 0;

  get bytes(): number {
    return this.#bytes;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: PendingFrame): void {
    this.#items.push(item);
    this.#bytes += item.bodyBytes;
    item.stream.queued += 1;
  }

  peek(): PendingFrame | undefined {
    return this.#items[this.#head];
  }

  shift(): PendingFrame | undefined {
    const item = this.#items[this.#head];
    if (!item) return undefined;
    this.#items[this.#head++] = undefined as unknown as PendingFrame;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    this.#bytes -= item.bodyBytes;
    item.stream.queued -= 1;
    return item;
  }

  /** Drops a stream's waiting frames (it was reset); returns how many. */
  dropStream(stream: Stream): number {
    if (stream.queued === 0) return 0;
    const kept = this.#items.slice(this.#head).filter((item) => item.stream !== stream);
    const dropped = this.size - kept.length;
    this.#items = kept;
    this.#head = 0;
    this.#bytes = kept.reduce((sum, item) => sum + item.bodyBytes, 0);
    stream.queued = 0;
    return dropped;
  }

  clear(): void {
    for (const item of this.#items.slice(this.#head)) item.stream.queued = 0;
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
  }
}
