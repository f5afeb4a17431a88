import type { CacheStore } from '@whiskeysockets/baileys';

/**
 * The read cache in front of a tenant's signal keys, one per run of the
 * tenant (across its reconnects) and emptied when the run ends. Baileys'
 * default makes a new cache per socket whose sweep timer keeps it, key
 * material included, alive for minutes after the socket is gone.
 * Entries live `ttlMs` (Baileys' own 5 minutes by default); expired ones are
 * dropped when read and swept every `sweepEvery` writes.
 */
export class KeyCache implements CacheStore {
  private readonly entries = new Map<string, { value: unknown; until: number }>();
  private writes = 0;

  constructor(
    private readonly ttlMs = 5 * 60_000,
    private readonly sweepEvery = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  get<T>(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set<T>(key: string, value: T): void {
    this.entries.set(key, { value, until: this.now() + this.ttlMs });
    this.writes += 1;
    if (this.writes % this.sweepEvery === 0) this.sweep();
  }

  del(key: string): void {
    this.entries.delete(key);
  }

  flushAll(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
