import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors.js';
import type { ErrorCode } from '../src/errors.js';
import { redactTokens, signToken, validateKeySet, verifyToken } from '../src/tokens.js';
import type { TokenKeySet } from '../src/tokens.js';

const KEYS: TokenKeySet = {
  signingKeyId: 'k1',
  keys: { k1: 'k1-secret-0123456789-0123456789-abcdef' },
};
const ROTATED: TokenKeySet = {
  signingKeyId: 'k2',
  keys: { k1: KEYS.keys.k1!, k2: 'k2-secret-0123456789-0123456789-abcdef' },
};
const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z

async function refusal(promise: Promise<unknown>): Promise<ErrorCode | 'accepted'> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
}

const peerToken = (now = NOW, ttlSeconds = 300, keys = KEYS) =>
  signToken({ tenant: 'taqueria', role: 'peer', ttlSeconds, now }, keys);

const asPeer = { tenant: 'taqueria', roles: ['peer'] as const, now: NOW };

describe('tokens', () => {
  it('verifies a fresh peer token and returns its claims', async () => {
    const claims = await verifyToken(await peerToken(), KEYS, asPeer);
    expect(claims).toMatchObject({
      tenant: 'taqueria',
      role: 'peer',
      keyId: 'k1',
      issuedAt: 1_767_225_600,
      expiresAt: 1_767_225_900,
    });
    expect(claims.epoch).toBeUndefined();
  });

  it('carries the lease epoch on worker tokens', async () => {
    const token = await signToken(
      { tenant: 'taqueria', role: 'worker', ttlSeconds: 60, epoch: 42, now: NOW },
      KEYS,
    );
    const claims = await verifyToken(token, KEYS, {
      tenant: 'taqueria',
      roles: ['worker'],
      now: NOW,
    });
    expect(claims.epoch).toBe(42);
  });

  it.each([
    ['expired beyond the skew allowance', NOW + 331_000, 'auth_expired'],
    ['expired but inside the 30 s skew allowance', NOW + 329_000, 'accepted'],
    ['issued 31 s in the future', NOW - 31_000, 'auth_not_yet_valid'],
    ['issued 29 s in the future, inside the skew', NOW - 29_000, 'accepted'],
  ])('a token %s is %s', async (_name, verifyAt, expected) => {
    const token = await peerToken();
    expect(await refusal(verifyToken(token, KEYS, { ...asPeer, now: verifyAt }))).toBe(expected);
  });

  it('refuses a peer token of another tenant', async () => {
    const token = await peerToken();
    expect(await refusal(verifyToken(token, KEYS, { ...asPeer, tenant: 'pizzeria' }))).toBe(
      'auth_wrong_tenant',
    );
  });

  it('refuses a peer token where a worker is required', async () => {
    const token = await peerToken();
    expect(await refusal(verifyToken(token, KEYS, { ...asPeer, roles: ['worker'] }))).toBe(
      'auth_wrong_role',
    );
  });

  it('lets an admin token for every tenant into any room', async () => {
    const token = await signToken({ tenant: '*', role: 'admin', ttlSeconds: 60, now: NOW }, KEYS);
    const claims = await verifyToken(token, KEYS, {
      tenant: 'pizzeria',
      roles: ['admin'],
      now: NOW,
    });
    expect(claims.tenant).toBe('*');
  });

  it('refuses a token with any single byte flipped', async () => {
    const token = await peerToken();
    const outcomes = new Set<string>();
    for (let index = 4; index < token.length; index++) {
      if (token[index] === '.') continue;
      const flipped = token[index] === 'A' ? 'B' : 'A';
      const tampered = token.slice(0, index) + flipped + token.slice(index + 1);
      outcomes.add(await refusal(verifyToken(tampered, KEYS, asPeer)));
    }
    expect(outcomes.has('accepted')).toBe(false);
    expect(outcomes.has('auth_bad_signature')).toBe(true);
  });

  it('refuses a token signed by an unknown key id', async () => {
    const other: TokenKeySet = {
      signingKeyId: 'k9',
      keys: { k9: 'k9-secret-0123456789-0123456789-ab' },
    };
    const token = await peerToken(NOW, 300, other);
    expect(await refusal(verifyToken(token, KEYS, asPeer))).toBe('auth_unknown_key');
  });

  it('accepts tokens of the old and the new key after a rotation', async () => {
    const old = await peerToken(NOW, 300, KEYS);
    const fresh = await peerToken(NOW, 300, ROTATED);
    expect((await verifyToken(old, ROTATED, asPeer)).keyId).toBe('k1');
    expect((await verifyToken(fresh, ROTATED, asPeer)).keyId).toBe('k2');
    expect(await refusal(verifyToken(fresh, KEYS, asPeer))).toBe('auth_unknown_key');
  });

  it.each([
    ['nothing', '', 'auth_missing'],
    ['another scheme', 'Bearer abc', 'auth_malformed'],
    ['three parts', 'pt1.a.b.c', 'auth_malformed'],
    ['claims that are not JSON', 'pt1.bm90IGpzb24.AAAA', 'auth_malformed'],
    ['a huge token', `pt1.${'A'.repeat(5000)}.A`, 'auth_malformed'],
  ])('refuses %s with a coded error', async (_name, token, code) => {
    expect(await refusal(verifyToken(token, KEYS, asPeer))).toBe(code);
  });

  it('never puts the token into the error message', async () => {
    const token = await peerToken();
    try {
      await verifyToken(token, KEYS, { ...asPeer, tenant: 'pizzeria' });
      expect.unreachable();
    } catch (error) {
      expect(String(error)).not.toContain(token.split('.')[2]);
      expect(String(error)).not.toContain(token.split('.')[1]);
    }
  });

  it('redacts tokens from URLs and log lines', async () => {
    const token = await peerToken();
    expect(redactTokens(`wss://room.example/parties/tunnel/t?token=${token}&x=1`)).toBe(
      'wss://room.example/parties/tunnel/t?token=pt1.[redacted]&x=1',
    );
  });

  it('refuses weak key sets at start-up, naming the key', () => {
    expect(() => validateKeySet({ signingKeyId: 'a', keys: { a: 'short' } })).toThrow(
      'secret of key "a"',
    );
    expect(() => validateKeySet({ signingKeyId: 'b', keys: KEYS.keys })).toThrow('signing key "b"');
  });
});
