import type { LockManagerLike } from '../../src/peer/index.js';

interface Request {
  readonly callback: (lock: unknown) => Promise<void>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly signal: AbortSignal | undefined;
}

/**
 * The Web Locks API's exclusive mode, in memory, for Node (which has no
 * `navigator.locks`): one holder per name until its callback settles, a
 * queue served in order, `ifAvailable` answered with a null lock, and an
 * aborted queued request rejected with an AbortError. Tabs in one browser
 * share one manager; the browser suite runs the real one.
 */
export class MemoryLocks implements LockManagerLike {
  readonly #held = new Set<string>();
  readonly #queues = new Map<string, Request[]>();

  request(
    name: string,
    options: { ifAvailable?: boolean; signal?: AbortSignal },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<unknown> {
    if (options.ifAvailable && this.#held.has(name)) return callback(null);
    return new Promise((resolve, reject) => {
      const request: Request = { callback, resolve, reject, signal: options.signal };
      const queue = this.#queues.get(name) ?? [];
      this.#queues.set(name, queue);
      if (options.signal?.aborted) {
        reject(new DOMException('aborted', 'AbortError'));
        return;
      }
      options.signal?.addEventListener('abort', () => {
        const index = queue.indexOf(request);
        if (index === -1) return;
        queue.splice(index, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
      queue.push(request);
      this.#grant(name);
    });
  }

  /** Names held now. */
  get held(): string[] {
    return [...this.#held];
  }

  #grant(name: string): void {
    if (this.#held.has(name)) return;
    const next = this.#queues.get(name)?.shift();
    if (!next) return;
    this.#held.add(name);
    next.callback({ name, mode: 'exclusive' }).then(
      (value) => this.#release(name, () => next.resolve(value)),
      (error: unknown) => this.#release(name, () => next.reject(error)),
    );
  }

  #release(name: string, settle: () => void): void {
    this.#held.delete(name);
    settle();
    this.#grant(name);
  }
}
