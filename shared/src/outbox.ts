import { framePriority } from './frame.js';
import type { FramePriority } from './frame.js';

/**
 * A two-lane send queue: control frames and upstream WebSocket messages
 * leave before bulk body chunks, while each lane keeps its own order.
 */
export class FrameOutbox<T = Uint8Array> {
  #control: T[] = [];
  #bulk: T[] = [];
  #controlHead = 0;
  #bulkHead = 0;

  get size(): number {
    return this.#control.length - this.#controlHead + this.#bulk.length - this.#bulkHead;
  }

  push(item: T, priority: FramePriority): void {
    (priority === 'bulk' ? this.#bulk : this.#control).push(item);
  }

  /** Queues an encoded frame in the lane its header's type calls for. */
  pushFrame(this: FrameOutbox<Uint8Array>, frame: Uint8Array): void {
    this.push(frame, framePriority(frame[1] ?? 0));
  }

  shift(): T | undefined {
    if (this.#controlHead < this.#control.length) {
      return this.#take('control');
    }
    if (this.#bulkHead < this.#bulk.length) {
      return this.#take('bulk');
    }
    return undefined;
  }

  clear(): void {
    this.#control = [];
    this.#bulk = [];
    this.#controlHead = 0;
    this.#bulkHead = 0;
  }

  // Index-based heads avoid Array#shift's O(n) copy on long queues; the
  // arrays are compacted once they are drained.
  #take(lane: FramePriority): T {
    if (lane === 'control') {
      const item = this.#control[this.#controlHead++] as T;
      if (this.#controlHead === this.#control.length) {
        this.#control = [];
        this.#controlHead = 0;
      }
      return item;
    }
    const item = this.#bulk[this.#bulkHead++] as T;
    if (this.#bulkHead === this.#bulk.length) {
      this.#bulk = [];
      this.#bulkHead = 0;
    }
    return item;
  }
}
