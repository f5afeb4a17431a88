/**
 * Frames on their way to the client, in order. The delay fault makes each
 * frame wait a fixed time after it was queued; the stall fault holds every
 * frame until it is cleared. Frames are already encrypted, so order must
 * never change (the client's read counter follows it).
 */
export interface OutboxPolicy {
  delayMs(): number;
  stalled(): boolean;
}

interface Pending {
  readonly frame: Buffer;
  readonly due: number;
}

export class Outbox {
  private readonly queue: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private drainWaiters: (() => void)[] = [];
  private closed = false;

  constructor(
    private readonly write: (frame: Buffer) => void,
    private readonly policy: OutboxPolicy,
  ) {}

  push(frame: Buffer): void {
    if (this.closed) return;
    this.queue.push({ frame, due: Date.now() + this.policy.delayMs() });
    this.pump();
  }

  /** Re-evaluates the faults: call when they change. */
  pump(): void {
    if (this.closed || this.timer !== null) return;
    while (this.queue.length > 0) {
      if (this.policy.stalled()) return;
      const head = this.queue[0] as Pending;
      const wait = head.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.pump();
        }, wait);
        return;
      }
      this.queue.shift();
      this.write(head.frame);
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Resolves once every queued frame was written (never, while stalled). */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  get pending(): number {
    return this.queue.length;
  }

  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
