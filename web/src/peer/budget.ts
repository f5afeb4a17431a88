import { Wakeup } from './wakeup.js';

/**
 * Response-body bytes sent to the room and not yet credited back by the
 * worker, over every stream of the peer. Each stream's own credit already
 * bounds it to one window; this caps the sum, so many parallel downloads
 * cannot pile megabytes into a tab's socket buffer.
 */
export class InFlightBudget {
  readonly limit: number;
  readonly released = new Wakeup();
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get available(): number {
    return this.limit - this.#used;
  }

  get used(): number {
    return this.#used;
  }

  take(bytes: number): void {
    this.#used += bytes;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    this.#used = Math.max(0, this.#used - bytes);
    this.released.notify();
  }
}
