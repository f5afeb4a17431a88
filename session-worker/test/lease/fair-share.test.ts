import { describe, expect, it } from 'vitest';
import { fairShare, type ReplicaLoad } from '../../src/lease/index.js';

const loads = (spec: string): ReplicaLoad[] =>
  spec.split(' ').map((part) => {
    const [id = '', held = '0'] = part.split(':');
    return { id, held: Number(held) };
  });

describe('fair share of tenants per replica', () => {
  it.each([
    // tenants, live replicas (oldest first, id:held), replica, expected share
    [0, 'a:0', 'a', 0],
    [5, 'a:0', 'a', 5],
    [4, 'a:4 b:0', 'a', 2],
    [4, 'a:4 b:0', 'b', 2],
    [7, 'a:0 b:0 c:0', 'a', 3],
    [7, 'a:0 b:0 c:0', 'b', 2],
    [7, 'a:0 b:0 c:0', 'c', 2],
    [7, 'a:3 b:3 c:1', 'a', 3],
    [7, 'a:3 b:3 c:1', 'b', 2],
    [7, 'a:3 b:3 c:1', 'c', 2],
    [7, 'a:1 b:3 c:3', 'b', 3],
    [7, 'a:1 b:3 c:3', 'c', 2],
    [7, 'a:1 b:3 c:3', 'a', 2],
    // A replica back from a pause (a, oldest, now holding nothing) leaves the tenant where it went.
    [1, 'a:0 b:1', 'a', 0],
    [1, 'a:0 b:1', 'b', 1],
    // A replica not yet in the live list counts itself last; the others do not see it yet.
    [3, 'a:3', 'b', 1],
    [3, 'a:3', 'a', 3],
  ])('%i tenants over [%s]: %s holds %i', (tenants, replicas, me, expected) => {
    expect(fairShare(tenants, loads(replicas), me)).toBe(expected);
  });

  it('gives every replica floor or ceil of the average, adding up to every tenant', () => {
    for (let tenants = 0; tenants <= 40; tenants++) {
      for (let count = 1; count <= 6; count++) {
        const replicas = Array.from({ length: count }, (_, i) => ({
          id: `r${i}`,
          held: (i * 7) % 5,
        }));
        const shares = replicas.map((r) => fairShare(tenants, replicas, r.id));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(tenants);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }
    }
  });
});
