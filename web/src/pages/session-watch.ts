import type { Backend } from './ui/backend.js';

/**
 * The session's state for pages that need it before (or without) joining:
 * asked of the restaurant's backend on an interval, and replaced by the
 * tenant status the room relays once this browser hears it.
 */
export class SessionWatch {
  readonly #backend: Backend;
  readonly #intervalMs: number;
  readonly #listeners = new Set<(status: string | null) => void>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #fromBackend: string | null = null;
  #failed = false;

  constructor(backend: Backend, intervalMs: number) {
    this.#backend = backend;
    this.#intervalMs = intervalMs;
  }

  get status(): string | null {
    return this.#fromBackend;
  }

  /** The last ask failed: the state shown may be old. */
  get failed(): boolean {
    return this.#failed;
  }

  on(listener: (status: string | null) => void): void {
    this.#listeners.add(listener);
  }

  start(): void {
    if (this.#timer === null) void this.#poll();
  }

  /** Asks again now (after the page started a session, say). */
  refresh(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    void this.#poll();
  }

  async #poll(): Promise<void> {
    try {
      const { status } = await this.#backend.session();
      this.#failed = false;
      this.#set(status);
    } catch {
      this.#failed = true;
      this.#set(this.#fromBackend);
    }
    this.#timer = setTimeout(() => void this.#poll(), this.#intervalMs);
  }

  #set(status: string | null): void {
    this.#fromBackend = status;
    for (const listener of this.#listeners) listener(status);
  }
}
