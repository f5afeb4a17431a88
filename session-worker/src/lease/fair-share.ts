/** A live replica and how many unexpired leases it holds. */
export interface ReplicaLoad {
  readonly id: string;
  readonly held: number;
}

/**
 * How many tenants one replica should hold. Every replica gets floor(T/R)
 * or ceil(T/R), so the shares add up to exactly T and no replica holds more
 * than ceil(T/R). The T mod R larger shares go to the replicas already
 * holding the most (the longest-running first on ties): a rebalance then
 * moves as few sessions as it can, and a replica that comes back from a
 * pause does not pull back tenants that moved away while it was gone.
 * `replicas` is the live list, oldest first; `me` counts even if missing.
 */
export function fairShare(tenants: number, replicas: readonly ReplicaLoad[], me: string): number {
  const live = replicas.some((r) => r.id === me) ? replicas : [...replicas, { id: me, held: 0 }];
  const floor = Math.floor(tenants / live.length);
  const larger = tenants % live.length;
  const ranked = live
    .map((replica, age) => ({ ...replica, age }))
    .sort((a, b) => b.held - a.held || a.age - b.age);
  return floor + (ranked.findIndex((r) => r.id === me) < larger ? 1 : 0);
}
