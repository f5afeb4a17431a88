import { fromBase64Url, toBase64Url } from './base64url.js';
import { ProtocolError } from './errors.js';
import { ROLES } from './messages.js';
import type { Role } from './messages.js';
import { ANY_TENANT, isTenantId } from './tenant.js';

/**
 * Short-lived HMAC-SHA256 tokens on WebCrypto, so the very same code runs
 * in Node, the Workers runtime and the browser.
 *
 *   pt1.<base64url(JSON claims)>.<base64url(HMAC-SHA256 over "pt1.<claims>")>
 *
 * The fixed `pt1.` prefix also lets log redaction find tokens anywhere.
 */
export const TOKEN_PREFIX = 'pt1.';

/** Seconds two clocks may disagree by before a token is refused. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

/** No token lives longer than this, whatever its issuer asked for. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

const MAX_TOKEN_LENGTH = 2_048;
const MIN_SECRET_LENGTH = 32;

export interface TokenClaims {
  readonly tenant: string;
  readonly role: Role;
  readonly keyId: string;
  /** Seconds since the epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Lease epoch; present on worker tokens only. */
  readonly epoch?: number;
  /** Random id, so two tokens issued in the same second still differ. */
  readonly tokenId: string;
}

/** Keys by id. New tokens are signed with `signingKeyId`; any listed key verifies. */
export interface TokenKeySet {
  readonly signingKeyId: string;
  readonly keys: Readonly<Record<string, string>>;
}

/** Checks a key set once at start-up; the error names the bad entry. */
export function validateKeySet(keySet: TokenKeySet): TokenKeySet {
  const ids = Object.keys(keySet.keys);
  if (ids.length === 0) throw new TypeError('token key set: no keys');
  for (const id of ids) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new TypeError(`token key set: key id "${id}" must be 1-32 of [A-Za-z0-9_-]`);
    }
    if ((keySet.keys[id] ?? '').length < MIN_SECRET_LENGTH) {
      throw new TypeError(
        `token key set: secret of key "${id}" is under ${MIN_SECRET_LENGTH} chars`,
      );
    }
  }
  if (!Object.hasOwn(keySet.keys, keySet.signingKeyId)) {
    throw new TypeError(`token key set: signing key "${keySet.signingKeyId}" is not in the set`);
  }
  return keySet;
}

const utf8 = new TextEncoder();
const cryptoKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = cryptoKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      'raw',
      utf8.encode(secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    cryptoKeys.set(secret, key);
  }
  return key;
}

async function mac(secret: string, text: string): Promise<Uint8Array> {
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(secret), utf8.encode(text));
  return new Uint8Array(signature);
}

/** Compares in time that depends only on the length, never on the content. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let index = 0; index < a.length; index++) {
    difference |= a[index]! ^ b[index]!;
  }
  return difference === 0;
}

export interface SignOptions {
  tenant: string;
  role: Role;
  ttlSeconds: number;
  epoch?: number;
  /** Milliseconds since the epoch; defaults to now. */
  now?: number;
}

export async function signToken(options: SignOptions, keySet: TokenKeySet): Promise<string> {
  const { tenant, role, ttlSeconds, epoch } = options;
  if (role === 'admin' ? tenant !== ANY_TENANT && !isTenantId(tenant) : !isTenantId(tenant)) {
    throw new TypeError(`signToken: "${tenant}" is not a tenant id`);
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new TypeError(`signToken: ttlSeconds must be 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`);
  }
  if ((role === 'worker') !== (epoch !== undefined)) {
    throw new TypeError('signToken: a lease epoch goes on worker tokens, and only there');
  }
  if (epoch !== undefined && (!Number.isSafeInteger(epoch) || epoch < 0)) {
    throw new TypeError('signToken: epoch must be a non-negative integer');
  }
  const issuedAt = Math.floor((options.now ?? Date.now()) / 1000);
  const claims = {
    kid: keySet.signingKeyId,
    ten: tenant,
    rol: role,
    iat: issuedAt,
    exp: issuedAt + ttlSeconds,
    ...(epoch === undefined ? {} : { epo: epoch }),
    jti: toBase64Url(crypto.getRandomValues(new Uint8Array(9))),
  };
  const secret = keySet.keys[keySet.signingKeyId];
  if (secret === undefined) throw new TypeError('signToken: signing key is not in the set');
  const signed = TOKEN_PREFIX + toBase64Url(utf8.encode(JSON.stringify(claims)));
  return `${signed}.${toBase64Url(await mac(secret, signed))}`;
}

export interface VerifyOptions {
  /** The room's tenant; an admin token for every tenant matches any. */
  tenant?: string;
  /** Roles allowed here. */
  roles: readonly Role[];
  now?: number;
  skewSeconds?: number;
}

interface RawClaims {
  kid: string;
  ten: string;
  rol: Role;
  iat: number;
  exp: number;
  epo?: number;
  jti: string;
}

function parseClaims(part: string): RawClaims {
  let value: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
    value = JSON.parse(text.decode(fromBase64Url(part)));
  } catch {
    throw new ProtocolError('auth_malformed', 'token claims are not base64url JSON');
  }
  const claims = value as Partial<RawClaims> | null;
  const isTime = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
  if (
    typeof claims !== 'object' ||
    claims === null ||
    typeof claims.kid !== 'string' ||
    typeof claims.ten !== 'string' ||
    !ROLES.includes(claims.rol as Role) ||
    !isTime(claims.iat) ||
    !isTime(claims.exp) ||
    (claims.epo !== undefined && !isTime(claims.epo)) ||
    typeof claims.jti !== 'string'
  ) {
    throw new ProtocolError('auth_malformed', 'token claims are incomplete');
  }
  return claims as RawClaims;
}

/**
 * Verifies a token and returns its claims, or throws a `ProtocolError`
 * with an `auth_*` code. Neither the token nor its signature ever appears
 * in the error.
 */
export async function verifyToken(
  token: string | null | undefined,
  keySet: TokenKeySet,
  options: VerifyOptions,
): Promise<TokenClaims> {
  if (!token) throw new ProtocolError('auth_missing');
  if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(TOKEN_PREFIX)) {
    throw new ProtocolError('auth_malformed', 'not a pt1 token');
  }
  const parts = token.slice(TOKEN_PREFIX.length).split('.');
  if (parts.length !== 2) throw new ProtocolError('auth_malformed', 'token must have two parts');
  const [claimsPart = '', macPart = ''] = parts;
  const claims = parseClaims(claimsPart);
  const secret = Object.hasOwn(keySet.keys, claims.kid) ? keySet.keys[claims.kid] : undefined;
  if (secret === undefined) {
    throw new ProtocolError('auth_unknown_key', `key id "${claims.kid.slice(0, 32)}" is not known`);
  }
  const expected = await mac(secret, TOKEN_PREFIX + claimsPart);
  let presented: Uint8Array;
  try {
    presented = fromBase64Url(macPart);
  } catch {
    throw new ProtocolError('auth_bad_signature');
  }
  if (!timingSafeEqual(expected, presented)) throw new ProtocolError('auth_bad_signature');

  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const skew = options.skewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  if (claims.iat > now + skew) throw new ProtocolError('auth_not_yet_valid');
  if (claims.exp + skew <= now) throw new ProtocolError('auth_expired');
  if (claims.exp < claims.iat || claims.exp - claims.iat > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new ProtocolError('auth_malformed', 'token lifetime is out of bounds');
  }
  if (!options.roles.includes(claims.rol)) {
    throw new ProtocolError('auth_wrong_role', `role ${claims.rol} may not do this`);
  }
  const everyTenant = claims.rol === 'admin' && claims.ten === ANY_TENANT;
  if (!everyTenant && !isTenantId(claims.ten)) {
    throw new ProtocolError('auth_malformed', 'token tenant is not a tenant id');
  }
  if (options.tenant !== undefined && !everyTenant && claims.ten !== options.tenant) {
    throw new ProtocolError('auth_wrong_tenant', undefined, { tenant: options.tenant });
  }
  if ((claims.rol === 'worker') !== (claims.epo !== undefined)) {
    throw new ProtocolError('auth_malformed', 'lease epoch present on the wrong role');
  }
  return {
    tenant: claims.ten,
    role: claims.rol,
    keyId: claims.kid,
    issuedAt: claims.iat,
    expiresAt: claims.exp,
    ...(claims.epo === undefined ? {} : { epoch: claims.epo }),
    tokenId: claims.jti,
  };
}

/** Replaces every token in a text (a URL, a log line) with a placeholder. */
export function redactTokens(text: string): string {
  return text.replace(/pt1\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, 'pt1.[redacted]');
}
