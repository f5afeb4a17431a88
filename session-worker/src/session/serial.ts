/**
 * One tenant's serialised path: starts, restarts, route changes, closes and
 * API work run one after another in call order, so no two of them can build
 * sockets at once (FIELD-NOTES F3: two racing start paths logged one account
 * in twice and WhatsApp evicted them in turn with 440).
 */
export class SerialPath {
  private tail: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  run<T>(job: () => Promise<T>): Promise<T> {
    this.waiting += 1;
    const result = this.tail.then(async () => {
      this.waiting -= 1;
      return job();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Jobs queued but not yet begun. */
  get pending(): number {
    return this.waiting;
  }

  /** Resolves once every job queued so far has settled. */
  async idle(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }
}
