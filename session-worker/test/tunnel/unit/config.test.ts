import { verifyToken } from '@pasarela/shared';
import { describe, expect, it } from 'vitest';
import {
  checkKeepaliveFit,
  parseRoomUrl,
  parseTokenKeys,
  parseTunnelSettings,
  readTunnelEnv,
  TokenMinter,
  TUNNEL_DEFAULTS,
  TunnelService,
} from '../../../src/tunnel/index.js';

const SECRET = 'a'.repeat(40);
const KEYS = JSON.stringify({ k1: SECRET });

function settingOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { setting?: string }).setting;
  }
  return undefined;
}

describe('tunnel settings', () => {
  it('are the defaults when nothing is overridden', () => {
    expect(parseTunnelSettings()).toEqual(TUNNEL_DEFAULTS);
  });

  it('merge overrides field by field', () => {
    const settings = parseTunnelSettings({ routes: { healthyForMs: 60_000 } });
    expect(settings.routes.healthyForMs).toBe(60_000);
    expect(settings.routes.maxMovesPerHour).toBe(TUNNEL_DEFAULTS.routes.maxMovesPerHour);
  });

  it.each([
    ['a negative hysteresis', { routes: { healthyForMs: -1 } }, 'tunnel.routes.healthyForMs'],
    ['an unknown field', { routes: { healthyFor: 1 } }, 'tunnel.routes.healthyFor'],
    [
      'a silence shorter than a ping',
      { link: { pingIntervalMs: 5_000, silenceMs: 4_000 } },
      'tunnel.link.silenceMs',
    ],
    [
      'a backoff that shrinks',
      { link: { minDelayMs: 5_000, maxDelayMs: 1_000 } },
      'tunnel.link.maxDelayMs',
    ],
  ] as const)('name the field of %s', (_name, input, setting) => {
    expect(settingOf(() => parseTunnelSettings(input as never))).toBe(setting);
  });

  it("fit the upstream silence between Baileys' keepalive and the moment it gives up", () => {
    const settings = parseTunnelSettings();
    expect(() => checkKeepaliveFit(settings, 30_000)).not.toThrow();
    expect(settingOf(() => checkKeepaliveFit(settings, 2_000))).toBe(
      'tunnel.routes.upstreamSilenceMs',
    );
    expect(settingOf(() => checkKeepaliveFit(settings, 40_000))).toBe(
      'tunnel.routes.upstreamSilenceMs',
    );
  });
});

describe('the tunnel service', () => {
  it("refuses at start-up a silence threshold that does not fit Baileys' keepalive", () => {
    const config = {
      room: { protocol: 'wss' as const, host: 'rooms.example.com' },
      keys: parseTokenKeys(KEYS, undefined),
      settings: parseTunnelSettings(),
    };
    expect(settingOf(() => new TunnelService({ config, keepAliveIntervalMs: 2_000 }))).toBe(
      'tunnel.routes.upstreamSilenceMs',
    );
    expect(() => new TunnelService({ config, keepAliveIntervalMs: 30_000 })).not.toThrow();
  });
});

describe('the room URL', () => {
  it.each([
    ['wss://rooms.example.com', true, { protocol: 'wss', host: 'rooms.example.com' }],
    ['ws://127.0.0.1:8787', true, { protocol: 'ws', host: '127.0.0.1:8787' }],
    ['ws://rooms.internal:1999', false, { protocol: 'ws', host: 'rooms.internal:1999' }],
  ] as const)('%s (production %s) → %j', (url, production, expected) => {
    expect(parseRoomUrl(url, production, 'PASARELA_ROOM_URL')).toEqual(expected);
  });

  it.each([
    ['plain ws to a public name in production', 'ws://rooms.example.com', true],
    ['a path', 'wss://rooms.example.com/parties', false],
    ['another scheme', 'https://rooms.example.com', false],
    ['no URL at all', 'rooms', false],
  ] as const)('refuses %s, naming the variable', (_name, url, production) => {
    expect(settingOf(() => parseRoomUrl(url, production, 'PASARELA_ROOM_URL'))).toBe(
      'PASARELA_ROOM_URL',
    );
  });
});

describe('the token keys', () => {
  it('take the only key as the signing key', () => {
    expect(parseTokenKeys(KEYS, undefined)).toEqual({ signingKeyId: 'k1', keys: { k1: SECRET } });
  });

  it.each([
    ['no keys', undefined, undefined, 'TOKEN_KEYS'],
    ['not JSON', '{', undefined, 'TOKEN_KEYS'],
    ['a short secret', JSON.stringify({ k1: 'short' }), undefined, 'TOKEN_KEYS'],
    [
      'two keys and no signing key',
      JSON.stringify({ k1: SECRET, k2: SECRET }),
      undefined,
      'TOKEN_SIGNING_KEY',
    ],
    ['a signing key not in the set', KEYS, 'k9', 'TOKEN_SIGNING_KEY'],
  ] as const)('refuse %s, naming the variable', (_name, keys, signing, setting) => {
    expect(settingOf(() => parseTokenKeys(keys, signing))).toBe(setting);
  });
});

describe('the tunnel from the environment', () => {
  it('is off without a room URL', () => {
    expect(readTunnelEnv({}, false)).toBeNull();
  });

  it('reads the room, the keys and the overrides', () => {
    const config = readTunnelEnv(
      {
        PASARELA_ROOM_URL: 'wss://rooms.example.com',
        TOKEN_KEYS: KEYS,
        PASARELA_TUNNEL_SETTINGS: '{"routes":{"maxMovesPerHour":3}}',
      },
      true,
    );
    expect(config?.room).toEqual({ protocol: 'wss', host: 'rooms.example.com' });
    expect(config?.settings.routes.maxMovesPerHour).toBe(3);
  });

  it('names the settings variable when an override is bad', () => {
    const env = {
      PASARELA_ROOM_URL: 'wss://rooms.example.com',
      TOKEN_KEYS: KEYS,
      PASARELA_TUNNEL_SETTINGS: '{"routes":{"maxMovesPerHour":0}}',
    };
    expect(settingOf(() => readTunnelEnv(env, true))).toBe(
      'PASARELA_TUNNEL_SETTINGS.routes.maxMovesPerHour',
    );
  });
});

describe('token minting', () => {
  const keys = parseTokenKeys(KEYS, undefined);
  const minter = new TokenMinter(keys, TUNNEL_DEFAULTS.tokens);
  const now = Date.UTC(2026, 0, 1);

  it('mints a short-lived peer token for one tenant', async () => {
    const minted = await minter.peer('pizzeria-1', { now });
    expect(minted.expiresAt).toBe(now / 1000 + TUNNEL_DEFAULTS.tokens.peerTtlSeconds);
    const claims = await verifyToken(minted.token, keys, {
      tenant: 'pizzeria-1',
      roles: ['peer'],
      now,
    });
    expect(claims).toMatchObject({ tenant: 'pizzeria-1', role: 'peer' });
    await expect(
      verifyToken(minted.token, keys, { tenant: 'other-1', roles: ['peer'], now }),
    ).rejects.toMatchObject({ code: 'auth_wrong_tenant' });
  });

  it('mints an admin token for one tenant or for every tenant', async () => {
    const every = await minter.admin('*', { now, ttlSeconds: 300 });
    expect(
      await verifyToken(every.token, keys, { tenant: 'any-1', roles: ['admin'], now }),
    ).toMatchObject({ tenant: '*', role: 'admin', expiresAt: now / 1000 + 300 });
  });

  it('mints worker tokens carrying the lease epoch', async () => {
    const token = await minter.worker('pizzeria-1', 7, now);
    expect(await verifyToken(token, keys, { roles: ['worker'], now })).toMatchObject({ epoch: 7 });
  });

  it('refuses a lifetime past the maximum and a tenant that is not a slug', async () => {
    await expect(minter.peer('pizzeria-1', { ttlSeconds: 7_200 })).rejects.toMatchObject({
      code: 'invalid_ttl',
    });
    expect(() => minter.peer('Not A Slug')).toThrow(/invalid_tenant/);
  });
});
