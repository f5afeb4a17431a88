import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, RecordStore } from '../records/index.js';

/**
 * Tenant API keys: `psk_<id>_<secret>`, 256 random bits of secret. Only the
 * SHA-256 of the whole key is stored (a fast hash is enough for random
 * keys of this length; a slow one would only cost every request). The id
 * finds the record without a scan and may appear in logs; the secret never.
 */
export const KEY_PATTERN = /^psk_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newKeyId(): string {
  const bytes = randomBytes(12);
  let id = '';
  for (const byte of bytes) id += BASE32[byte & 31];
  return `psk_${id}`;
}

export interface MintedKey {
  readonly record: ApiKeyRecord;
  /** The whole key: shown once, never stored. */
  readonly key: string;
}

export type KeyCheck =
  { readonly ok: true; readonly tenant: string; readonly id: string } | { readonly ok: false };

interface CachedKey {
  readonly record: ApiKeyRecord | undefined;
  readonly readAt: number;
}

/**
 * Mints, lists, revokes and checks tenant keys. Checks are cached for
 * `cacheMs` so a busy bot costs no query per request; a revocation takes
 * effect at once on this worker and within `cacheMs` on the others.
 */
export class ApiKeys {
  readonly #cache = new Map<string, CachedKey>();

  constructor(
    private readonly records: RecordStore,
    private readonly cacheMs: number,
  ) {}

  async mint(tenant: string, label: string | null, now = Date.now()): Promise<MintedKey> {
    const id = newKeyId();
    const key = `${id}_${randomBytes(32).toString('base64url')}`;
    const record: ApiKeyRecord = {
      id,
      tenant,
      hash: hashKey(key),
      label,
      createdAt: now,
      revokedAt: null,
    };
    await this.records.insertApiKey(record);
    return { record, key };
  }

  list(tenant: string): Promise<ApiKeyRecord[]> {
    return this.records.listApiKeys(tenant);
  }

  async revoke(tenant: string, id: string, now = Date.now()): Promise<boolean> {
    const revoked = await this.records.revokeApiKey(tenant, id, now);
    this.#cache.delete(id);
    return revoked;
  }

  async check(key: string, now = Date.now()): Promise<KeyCheck> {
    const match = KEY_PATTERN.exec(key);
    if (!match) return { ok: false };
    const id = `psk_${match[1]}`;
    let cached = this.#cache.get(id);
    if (!cached || now - cached.readAt > this.cacheMs) {
      cached = { record: await this.records.findApiKey(id), readAt: now };
      this.#cache.set(id, cached);
      if (this.#cache.size > 10_000) this.#cache.delete(this.#cache.keys().next().value!);
    }
    const record = cached.record;
    if (!record || record.revokedAt !== null) return { ok: false };
    const given = Buffer.from(hashKey(key), 'hex');
    const stored = Buffer.from(record.hash, 'hex');
    if (given.length !== stored.length || !timingSafeEqual(given, stored)) return { ok: false };
    return { ok: true, tenant: record.tenant, id };
  }
}
