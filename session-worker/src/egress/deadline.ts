import type { EgressDeadlines } from './defaults.js';

type RateLimits = Pick<EgressDeadlines, 'exchangeBaseMs' | 'minBytesPerSecond'>;

/** The time a whole exchange of `bytes` body bytes may take. */
export function exchangeBudgetMs(bytes: number, limits: RateLimits): number {
  return limits.exchangeBaseMs + Math.ceil((bytes / limits.minBytesPerSecond) * 1000);
}

/**
 * One deadline over a whole HTTP exchange, body included. It starts at the
 * base and grows with the body: by the declared lengths as soon as they are
 * known, and by the bytes actually moved when a length is not declared, so
 * a stalled body fails while a long, steady one is not cut off. One timer,
 * re-armed only when it fires early, so counting bytes costs nothing.
 */
export class ExchangeDeadline {
  readonly #limits: RateLimits;
  readonly #startedAt = Date.now();
  readonly #onExpire: () => void;
  #declared = 0;
  #moved = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(limits: RateLimits, onExpire: () => void) {
    this.#limits = limits;
    this.#onExpire = onExpire;
    this.#arm();
  }

  /** A body length announced by either side. */
  declare(bytes: number): void {
    this.#declared += bytes;
  }

  /** Body bytes that moved, in either direction. */
  moved(bytes: number): void {
    this.#moved += bytes;
  }

  get expiresAt(): number {
    const bytes = Math.max(this.#declared, this.#moved);
    return this.#startedAt + exchangeBudgetMs(bytes, this.#limits);
  }

  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    const wait = Math.max(0, this.expiresAt - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (Date.now() >= this.expiresAt) this.#onExpire();
      else this.#arm();
    }, wait);
    // The connections the exchange uses keep the process running, not this.
    this.#timer.unref();
  }
}
