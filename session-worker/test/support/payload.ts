import { createHash } from 'node:crypto';

/**
 * Deterministic bytes without a period: SHA-256 of a seed and a counter,
 * block after block. Tests write the SHA-256 of a payload out as a
 * constant, so a reordered, repeated or lost chunk cannot go unnoticed.
 */
export function payload(length: number, seed = 'pasarela'): Buffer {
  const out = Buffer.allocUnsafe(length);
  for (let offset = 0, counter = 0; offset < length; offset += 32, counter += 1) {
    createHash('sha256').update(`${seed}:${counter}`).digest().copy(out, offset);
  }
  return out;
}

export function sha256(bytes: Buffer | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
