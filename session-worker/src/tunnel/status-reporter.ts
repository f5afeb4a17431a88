import type { TenantStatus } from '@pasarela/shared';

export interface StatusReporterOptions {
  readonly debounceMs: number;
  readonly compose: () => TenantStatus;
  /** Sends the frame; false when the room link is not open (it is sent again on the next open). */
  readonly send: (status: TenantStatus) => boolean;
  readonly sent: (status: TenantStatus) => void;
}

/**
 * Sends the tenant's status to the room whenever it changes (session,
 * routes, legs, leaks, policy), coalescing bursts of changes into one
 * frame, and again on every new room socket.
 */
export class StatusReporter {
  readonly #options: StatusReporterOptions;
  #timer: NodeJS.Timeout | undefined;
  #lastSent = '';
  #closed = false;

  constructor(options: StatusReporterOptions) {
    this.#options = options;
  }

  /** The latest status, composed now. */
  current(): TenantStatus {
    return this.#options.compose();
  }

  changed(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#options.debounceMs);
    this.#timer.unref();
  }

  /** A new room socket: the next status goes out even if unchanged. */
  reopened(): void {
    this.#lastSent = '';
    this.changed();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #flush(): void {
    if (this.#closed) return;
    const status = this.#options.compose();
    const { updatedAt: _updatedAt, ...rest } = status;
    const key = JSON.stringify(rest);
    if (key === this.#lastSent) return;
    if (!this.#options.send(status)) return;
    this.#lastSent = key;
    this.#options.sent(status);
  }
}
