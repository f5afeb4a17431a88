import { describe, expect, it } from 'vitest';
import { BROKER_DEFAULTS, parseBrokerConfig, parseTokenKeys } from '../../src/core/config.js';
import { settingsFrom } from '../../src/core/settings.js';

function problem(read: () => unknown): string {
  try {
    read();
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
}

describe('broker configuration', () => {
  it('uses the defaults when BROKER_CONFIG is empty or unset', () => {
    expect(parseBrokerConfig(undefined)).toEqual(BROKER_DEFAULTS);
    expect(parseBrokerConfig('{}')).toEqual(BROKER_DEFAULTS);
    expect(BROKER_DEFAULTS).toMatchObject({
      pingIntervalMs: 20_000,
      goneAfterMissedPings: 2,
      statsFlushMs: 5_000,
      eventsKept: 200,
      maxFrameSize: 262_144,
    });
  });

  it('lays overrides over the defaults, from a JSON string or an object', () => {
    expect(parseBrokerConfig('{"pingIntervalMs": 25000}').pingIntervalMs).toBe(25_000);
    expect(parseBrokerConfig({ logLevel: 'debug' }).logLevel).toBe('debug');
  });

  it.each([
    ['not json', 'config_invalid: BROKER_CONFIG is not valid JSON'],
    ['[1]', 'config_invalid: BROKER_CONFIG must be a JSON object'],
    ['{"pingInterval": 5}', 'config_invalid: BROKER_CONFIG.pingInterval is not a known field'],
    ['{"pingIntervalMs": "5s"}', 'config_invalid: BROKER_CONFIG.pingIntervalMs must be an integer'],
    ['{"pingIntervalMs": 5}', 'config_invalid: BROKER_CONFIG.pingIntervalMs must be 50 to 300000'],
    ['{"statsFlushMs": 10000}', 'config_invalid: BROKER_CONFIG.statsFlushMs must be 50 to 9000'],
    [
      '{"logLevel": "loud"}',
      'config_invalid: BROKER_CONFIG.logLevel must be one of debug, info, warn, error',
    ],
    [
      '{"maxQueuedBytes": 65536, "maxFrameSize": 262144}',
      'config_invalid: BROKER_CONFIG.maxQueuedBytes must be at least maxFrameSize',
    ],
  ])('refuses BROKER_CONFIG %s, naming the field', (raw, message) => {
    expect(problem(() => parseBrokerConfig(raw))).toBe(message);
  });

  it('reads TOKEN_KEYS and verifies with every key listed', () => {
    const keys = parseTokenKeys(
      '{"k1": "0123456789abcdef0123456789abcdef", "k2": "fedcba9876543210fedcba9876543210"}',
    );
    expect(Object.keys(keys.keys)).toEqual(['k1', 'k2']);
  });

  it.each([
    [undefined, 'config_invalid: TOKEN_KEYS is not set'],
    ['', 'config_invalid: TOKEN_KEYS is not set'],
    ['{}', 'config_invalid: TOKEN_KEYS: no keys'],
    ['{"k1": 42}', 'config_invalid: TOKEN_KEYS.k1 must be a string secret'],
    ['{"k1": "short-secret"}', 'config_invalid: TOKEN_KEYS: secret of key "k1" is under 32 chars'],
    [
      '{"bad id!": "0123456789abcdef0123456789abcdef"}',
      'config_invalid: TOKEN_KEYS: key id "bad id!" must be 1-32 of [A-Za-z0-9_-]',
    ],
  ])('refuses TOKEN_KEYS %j, naming the variable and never the secret', (raw, message) => {
    expect(problem(() => parseTokenKeys(raw))).toBe(message);
  });

  it('keeps a bad variable as its coded error, so rooms refuse instead of failing later', () => {
    const settings = settingsFrom({ TOKEN_KEYS: '{"k1": "short-secret"}', BROKER_CONFIG: '{}' });
    expect(settings.config).toEqual(BROKER_DEFAULTS);
    expect(settings.keys).toMatchObject({ code: 'config_invalid' });
  });
});
