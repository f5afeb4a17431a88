import { signToken } from '@pasarela/shared';
import { describe, expect, it } from 'vitest';
import { refusalText } from '../../../src/dashboard/auth.js';
import { judgeToken } from '../../../src/dashboard/token.js';

const KEYS = { signingKeyId: 'k1', keys: { k1: 'a-secret-of-at-least-thirty-two-characters' } };
const NOW = 1_700_000_000_000;

describe('the inspection dashboard opens with an admin token only', () => {
  it('accepts an admin token for every tenant', async () => {
    const token = await signToken({ tenant: '*', role: 'admin', ttlSeconds: 600, now: NOW }, KEYS);
    expect(judgeToken(token, NOW)).toEqual({
      ok: true,
      everyTenant: true,
      view: { role: 'admin', tenant: '*', expiresAt: NOW / 1000 + 600 },
    });
  });

  it('accepts an admin token for one tenant, for that room alone', async () => {
    const token = await signToken(
      { tenant: 'pizzeria-1', role: 'admin', ttlSeconds: 600, now: NOW },
      KEYS,
    );
    expect(judgeToken(token, NOW)).toMatchObject({ ok: true, everyTenant: false });
  });

  it('refuses a peer token, saying so in words', async () => {
    const token = await signToken(
      { tenant: 'pizzeria-1', role: 'peer', ttlSeconds: 600, now: NOW },
      KEYS,
    );
    const verdict = judgeToken(token, NOW);
    expect(verdict).toEqual({ ok: false, reason: 'not-admin', role: 'peer' });
    expect(refusalText(verdict as Exclude<typeof verdict, { ok: true }>)).toBe(
      'This is a peer token. The room inspection dashboard opens only with an admin token: ' +
        "mint one with the worker's admin API key (POST /api/tunnel/tokens).",
    );
  });

  it('refuses an expired admin token', async () => {
    const token = await signToken({ tenant: '*', role: 'admin', ttlSeconds: 60, now: NOW }, KEYS);
    expect(judgeToken(token, NOW + 61_000)).toEqual({
      ok: false,
      reason: 'expired',
      role: 'admin',
    });
  });

  it.each(['', 'hello', 'pt1.', 'pt1.e30', 'pt1.!!!.sig', 'pt1.e30.sig', 'pt1.a.b.c'])(
    'refuses %j as no token at all',
    (text) => {
      expect(judgeToken(text, NOW)).toEqual({ ok: false, reason: 'malformed' });
    },
  );
});
