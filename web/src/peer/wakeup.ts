/**
 * A wait that frame handlers end: credit arriving, a budget released, the
 * room socket draining. Nothing here polls with timers, because a hidden
 * tab runs chained timers at most once a minute, while message events are
 * delivered at once.
 */
export class Wakeup {
  #waiters = new Set<() => void>();

  /** Resolves at the next `notify()`, rejects with the signal's reason on abort. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#waiters.delete(wake);
        reject(signal.reason);
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  get waiting(): boolean {
    return this.#waiters.size > 0;
  }

  notify(): void {
    const waiters = [...this.#waiters];
    this.#waiters.clear();
    for (const wake of waiters) wake();
  }
}

/** Waits until `ready()` holds, re-checking whenever one of the wakeups fires. */
export async function until(
  ready: () => boolean,
  wakeups: readonly Wakeup[],
  signal: AbortSignal,
): Promise<void> {
  while (!ready()) {
    if (signal.aborted) throw signal.reason;
    const controller = new AbortController();
    const stop = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race(wakeups.map((wakeup) => wakeup.wait(controller.signal)));
    } finally {
      signal.removeEventListener('abort', stop);
      controller.abort();
    }
  }
}
