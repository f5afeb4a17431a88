/** A percentile figure over the newest samples. */
export interface SampleFigures {
  readonly count: number;
  readonly lastMs: number | null;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

/**
 * The newest `capacity` durations, for p50/p95 figures. Nearest-rank
 * percentiles over a copy: the windows are small (tens of samples) and
 * read far less often than written.
 */
export class SampleWindow {
  readonly #capacity: number;
  readonly #samples: number[] = [];
  #next = 0;
  #last: number | null = null;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  add(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.#last = ms;
    if (this.#samples.length < this.#capacity) this.#samples.push(ms);
    else this.#samples[this.#next] = ms;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  clear(): void {
    this.#samples.length = 0;
    this.#next = 0;
    this.#last = null;
  }

  get count(): number {
    return this.#samples.length;
  }

  percentile(fraction: number): number | null {
    if (this.#samples.length === 0) return null;
    const sorted = [...this.#samples].sort((a, b) => a - b);
    const rank = Math.max(1, Math.ceil(fraction * sorted.length));
    return sorted[rank - 1]!;
  }

  figures(): SampleFigures {
    return {
      count: this.#samples.length,
      lastMs: this.#last,
      p50Ms: this.percentile(0.5),
      p95Ms: this.percentile(0.95),
    };
  }
}
