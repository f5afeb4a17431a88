import { describe, expect, it } from 'vitest';
import { CONSENT_VERSION, Preferences } from '../../../src/pages/ui/preferences.js';
import type { StorageLike } from '../../../src/pages/ui/preferences.js';

class MapStorage implements StorageLike {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const refusing: StorageLike = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => undefined,
};

describe("staff's choices in this browser", () => {
  it('has no consent until staff choose, then keeps it per tenant', () => {
    const storage = new MapStorage();
    const mine = new Preferences(storage, 'pizzeria-1');
    expect(mine.consent()).toBe(null);
    mine.setConsent('given', new Date('2025-01-02T03:04:05Z'));
    expect(new Preferences(storage, 'pizzeria-1').consent()).toBe('given');
    expect(new Preferences(storage, 'taqueria-2').consent()).toBe(null);
    expect(JSON.parse(storage.items.get('pasarela:pizzeria-1:consent')!)).toEqual({
      choice: 'given',
      at: '2025-01-02T03:04:05.000Z',
      version: CONSENT_VERSION,
    });
  });

  it('keeps a no as firmly as a yes', () => {
    const storage = new MapStorage();
    new Preferences(storage, 'pizzeria-1').setConsent('declined');
    expect(new Preferences(storage, 'pizzeria-1').consent()).toBe('declined');
  });

  it('asks again when the consent was given to other words', () => {
    const storage = new MapStorage();
    storage.setItem(
      'pasarela:pizzeria-1:consent',
      JSON.stringify({ choice: 'given', at: '2024-01-01T00:00:00Z', version: CONSENT_VERSION + 1 }),
    );
    expect(new Preferences(storage, 'pizzeria-1').consent()).toBe(null);
  });

  it('keeps the pause', () => {
    const storage = new MapStorage();
    new Preferences(storage, 'pizzeria-1').setPaused(true);
    expect(new Preferences(storage, 'pizzeria-1').paused()).toBe(true);
    new Preferences(storage, 'pizzeria-1').setPaused(false);
    expect(new Preferences(storage, 'pizzeria-1').paused()).toBe(false);
  });

  it("holds the choices for the page's life when storage refuses", () => {
    const preferences = new Preferences(refusing, 'pizzeria-1');
    preferences.setConsent('given');
    preferences.setPaused(true);
    expect(preferences.consent()).toBe('given');
    expect(preferences.paused()).toBe(true);
  });
});
