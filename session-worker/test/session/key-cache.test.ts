import { describe, expect, it } from 'vitest';
import { KeyCache } from '../../src/session/key-cache.js';

describe('the read cache in front of a tenant’s signal keys', () => {
  it('answers a key until its time to live has passed, then forgets it', () => {
    let now = 0;
    const cache = new KeyCache(1_000, 100, () => now);
    cache.set('session.5215512345678.0', { record: 1 });
    now = 999;
    expect(cache.get('session.5215512345678.0')).toEqual({ record: 1 });
    now = 1_000;
    expect(cache.get('session.5215512345678.0')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('sweeps expired entries every so many writes, without reads', () => {
    let now = 0;
    const cache = new KeyCache(1_000, 3, () => now);
    cache.set('pre-key.1', 'a');
    cache.set('pre-key.2', 'b');
    now = 2_000;
    cache.set('pre-key.3', 'c');
    expect(cache.size).toBe(1);
    expect(cache.get('pre-key.3')).toBe('c');
  });

  it('holds nothing once flushed, as when the tenant stops', () => {
    const cache = new KeyCache();
    cache.set('sender-key.g1', 'x');
    cache.del('sender-key.g1');
    cache.set('identity-key.1', 'y');
    cache.flushAll();
    expect(cache.size).toBe(0);
  });
});
