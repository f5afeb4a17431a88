/** The part of `localStorage` the pages use. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type ConsentChoice = 'given' | 'declined';

/**
 * Raised when the consent text changes in substance, so every browser is
 * asked again rather than relaying on an agreement to other words.
 */
export const CONSENT_VERSION = 1;

interface StoredConsent {
  readonly choice: ConsentChoice;
  readonly at: string;
  readonly version: number;
}

/**
 * What staff chose in this browser, kept in `localStorage` per tenant:
 * whether this browser may relay, whether relaying is paused, and the
 * language. Storage that refuses (a private window with storage off)
 * leaves the choices for this page's life only.
 */
export class Preferences {
  readonly #storage: StorageLike | null;
  readonly #memory = new Map<string, string>();
  readonly #prefix: string;

  constructor(storage: StorageLike | null, tenant: string) {
    this.#storage = storage;
    this.#prefix = `pasarela:${tenant}:`;
  }

  /** The key another tab's `storage` event names when a choice of this tenant changes. */
  key(name: 'consent' | 'paused'): string {
    return this.#prefix + name;
  }

  consent(): ConsentChoice | null {
    const raw = this.#read(this.key('consent'));
    if (raw === null) return null;
    try {
      const stored = JSON.parse(raw) as Partial<StoredConsent>;
      if (stored.version !== CONSENT_VERSION) return null;
      return stored.choice === 'given' || stored.choice === 'declined' ? stored.choice : null;
    } catch {
      return null;
    }
  }

  setConsent(choice: ConsentChoice, now = new Date()): void {
    const stored: StoredConsent = { choice, at: now.toISOString(), version: CONSENT_VERSION };
    this.#write(this.key('consent'), JSON.stringify(stored));
  }

  paused(): boolean {
    return this.#read(this.key('paused')) === 'true';
  }

  setPaused(paused: boolean): void {
    this.#write(this.key('paused'), String(paused));
  }

  language(): string | null {
    return this.#read('pasarela:language');
  }

  setLanguage(language: string): void {
    this.#write('pasarela:language', language);
  }

  #read(key: string): string | null {
    try {
      const value = this.#storage?.getItem(key) ?? null;
      return value ?? this.#memory.get(key) ?? null;
    } catch {
      return this.#memory.get(key) ?? null;
    }
  }

  #write(key: string, value: string): void {
    this.#memory.set(key, value);
    try {
      this.#storage?.setItem(key, value);
    } catch {
      // Kept in memory above: the choice holds for this page at least.
    }
  }
}
