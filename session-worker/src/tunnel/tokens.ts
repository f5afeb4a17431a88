import { ANY_TENANT, isTenantId, signToken } from '@pasarela/shared';
import type { TokenKeySet } from '@pasarela/shared';
import type { TokenSettings } from './defaults.js';

/** A token handed out, with when it stops working (seconds since the epoch). */
export interface MintedToken {
  readonly token: string;
  readonly expiresAt: number;
}

export interface MintOptions {
  /** Lifetime in seconds; at most the configured maximum. */
  readonly ttlSeconds?: number;
  readonly now?: number;
}

/** A token request that cannot be honoured, named by a catalogue-shaped code. */
export class TokenRequestError extends Error {
  override readonly name = 'TokenRequestError';

  constructor(
    readonly code: 'invalid_tenant' | 'invalid_ttl',
    detail: string,
  ) {
    super(`${code}: ${detail}`);
  }
}

/**
 * Signs the three kinds of room token with the configured key set: worker
 * tokens carrying the lease epoch (one per connection attempt), and the
 * short-lived peer and admin tokens the API hands out. The tokens
 * themselves are secrets: never log them.
 */
export class TokenMinter {
  constructor(
    private readonly keys: TokenKeySet,
    private readonly settings: TokenSettings,
  ) {}

  /** A worker token for one connection attempt, fenced by the lease epoch. */
  worker(tenant: string, epoch: number, now?: number): Promise<string> {
    return signToken(
      {
        tenant,
        role: 'worker',
        epoch,
        ttlSeconds: this.settings.workerTtlSeconds,
        ...(now === undefined ? {} : { now }),
      },
      this.keys,
    );
  }

  /** A peer token for a restaurant page of `tenant`. */
  peer(tenant: string, options: MintOptions = {}): Promise<MintedToken> {
    if (!isTenantId(tenant)) throw new TokenRequestError('invalid_tenant', JSON.stringify(tenant));
    return this.#mint(tenant, 'peer', options.ttlSeconds ?? this.settings.peerTtlSeconds, options);
  }

  /** An admin token for one tenant's rooms, or every tenant's with `*`. */
  admin(tenant: string, options: MintOptions = {}): Promise<MintedToken> {
    if (tenant !== ANY_TENANT && !isTenantId(tenant)) {
      throw new TokenRequestError('invalid_tenant', JSON.stringify(tenant));
    }
    return this.#mint(
      tenant,
      'admin',
      options.ttlSeconds ?? this.settings.adminTtlSeconds,
      options,
    );
  }

  async #mint(
    tenant: string,
    role: 'peer' | 'admin',
    ttlSeconds: number,
    options: MintOptions,
  ): Promise<MintedToken> {
    const max = this.settings.maxTtlSeconds;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > max) {
      throw new TokenRequestError('invalid_ttl', `ttlSeconds must be 1 to ${max}`);
    }
    const now = options.now ?? Date.now();
    const token = await signToken({ tenant, role, ttlSeconds, now }, this.keys);
    return { token, expiresAt: Math.floor(now / 1000) + ttlSeconds };
  }
}
