import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiError } from './errors.js';
import type { ApiKeys } from './keys.js';

/**
 * Who may call a route. `tenant`: the admin key, or the key of the tenant
 * the path names. `any`: the admin key or any tenant key (the answer is
 * then limited to that tenant). `metrics`: the admin key or the metrics
 * token. `public`: no key (health, readiness, the OpenAPI document).
 */
export type Access = 'public' | 'admin' | 'tenant' | 'any' | 'metrics';

export type Principal =
  | { readonly kind: 'admin' }
  | { readonly kind: 'tenant'; readonly tenant: string; readonly keyId: string }
  | { readonly kind: 'metrics' }
  | { readonly kind: 'public' };

export interface Authenticator {
  readonly keys: ApiKeys;
  readonly adminKeyHash: Buffer;
  readonly metricsTokenHash: Buffer | null;
}

/** The key a request carries: `Authorization: Bearer <key>` or `X-Api-Key: <key>`. */
export function presentedKey(headers: Headers): string | null {
  const authorization = headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? match[1]! : authorization.trim();
  }
  const header = headers.get('x-api-key');
  return header ? header.trim() : null;
}

function sameHash(value: string, hash: Buffer): boolean {
  const given = createHash('sha256').update(value).digest();
  return timingSafeEqual(given, hash);
}

/**
 * Checks a request's key against the route's access and the tenant its
 * path names. Refusals: `auth_missing`, `auth_invalid`, `admin_required`,
 * `auth_wrong_tenant`.
 */
export async function authorize(
  auth: Authenticator,
  access: Access,
  headers: Headers,
  pathTenant: string | undefined,
): Promise<Principal> {
  if (access === 'public') return { kind: 'public' };
  const key = presentedKey(headers);
  if (!key) throw new ApiError('auth_missing');
  if (sameHash(key, auth.adminKeyHash)) return { kind: 'admin' };
  if (access === 'metrics') {
    if (auth.metricsTokenHash && sameHash(key, auth.metricsTokenHash)) return { kind: 'metrics' };
    throw new ApiError('auth_invalid');
  }
  const checked = await auth.keys.check(key);
  if (!checked.ok) throw new ApiError('auth_invalid');
  if (access === 'admin') throw new ApiError('admin_required');
  if (access === 'tenant' && pathTenant !== checked.tenant) {
    throw new ApiError('auth_wrong_tenant', undefined, { keyId: checked.id });
  }
  return { kind: 'tenant', tenant: checked.tenant, keyId: checked.id };
}
