import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEgress, EgressConfigError, validateEgressConfig } from '../../src/egress/index.js';
import type { EgressOptions } from '../../src/egress/index.js';
import { createTestCa } from '../support/test-ca.js';

const folder = mkdtempSync(join(tmpdir(), 'egress-config-'));
const caPath = join(folder, 'ca.pem');
const ca = createTestCa();
writeFileSync(caPath, ca.cert);
const keyPath = join(folder, 'key.pem');
writeFileSync(keyPath, ca.key);

function configError(run: () => unknown): EgressConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof EgressConfigError) return error;
    throw error;
  }
  throw new Error('expected an EgressConfigError');
}

describe('validating the egress configuration at start-up', () => {
  it('takes the defaults when nothing is set', () => {
    expect(validateEgressConfig({ production: false })).toEqual({
      defaultPolicy: 'direct',
      hostMap: undefined,
      ca: undefined,
      production: false,
      guardMode: 'refuse',
    });
  });

  it('reads a host map in the compact form and a CA file', () => {
    const config = validateEgressConfig({
      defaultPolicy: 'prefer-tunnel',
      hostMap: 'web.whatsapp.com=127.0.0.1:41001, *.whatsapp.net=127.0.0.1:41002',
      caFile: caPath,
      production: false,
      guardMode: 'record',
    });

    expect(config).toMatchObject({
      defaultPolicy: 'prefer-tunnel',
      hostMap: { 'web.whatsapp.com': '127.0.0.1:41001', '*.whatsapp.net': '127.0.0.1:41002' },
      guardMode: 'record',
    });
    expect(config.ca?.toString()).toContain(ca.cert.trim());
  });

  it('reads a host map given as JSON', () => {
    const config = validateEgressConfig({
      hostMap: '{"web.whatsapp.com":"127.0.0.1:41001"}',
      production: false,
    });
    expect(config.hostMap).toEqual({ 'web.whatsapp.com': '127.0.0.1:41001' });
  });

  it.each([
    [
      { defaultPolicy: 'tunnel-first' },
      'defaultPolicy',
      'unknown policy "tunnel-first"; expected one of prefer-tunnel, tunnel-only, direct',
    ],
    [{ guardMode: 'warn' }, 'guardMode', 'unknown mode "warn"; expected refuse or record'],
    [{ hostMap: 'web.whatsapp.com' }, 'hostMap', 'entry "web.whatsapp.com" is not name=host:port'],
    [{ hostMap: '{"web.whatsapp.com": }' }, 'hostMap', 'is not valid JSON'],
    [
      { hostMap: 'web.whatsapp.com=localhost' },
      'hostMap["web.whatsapp.com"]',
      '"localhost" is not "host:port"',
    ],
    [
      { caFile: join(folder, 'missing.pem') },
      'caFile',
      `cannot read ${join(folder, 'missing.pem')} (ENOENT)`,
    ],
    [{ caFile: folder }, 'caFile', `cannot read ${folder} (EISDIR)`],
    [{ caFile: keyPath }, `caFile (${keyPath})`, 'holds no PEM certificate'],
  ])('refuses %j, naming %s', (input, setting, detail) => {
    const error = configError(() => validateEgressConfig({ production: false, ...input }));
    expect(error.setting).toBe(setting);
    expect(error.message).toBe(`config_invalid: ${setting}: ${detail}`);
    expect(error.code).toBe('config_invalid');
  });

  it('refuses a host map in production mode', () => {
    const error = configError(() =>
      validateEgressConfig({ hostMap: 'web.whatsapp.com=127.0.0.1:41001', production: true }),
    );
    expect(error.message).toBe(
      'config_invalid: hostMap: a development host map is refused in production mode',
    );
  });

  it('names each setting as the operator spelled it', () => {
    const error = configError(() =>
      validateEgressConfig(
        { caFile: join(folder, 'missing.pem'), production: false },
        { caFile: 'PASARELA_EGRESS_CA_FILE' },
      ),
    );
    expect(error.setting).toBe('PASARELA_EGRESS_CA_FILE');
  });
});

describe('creating an egress with bad options', () => {
  const good: EgressOptions = { tenant: 'pizza-roma', policy: 'direct', production: false };

  it.each<[string, Partial<EgressOptions>, string]>([
    [
      'a bad tenant id',
      { tenant: 'Pizza Roma' },
      'config_invalid: tenant: "Pizza Roma" is not a tenant id',
    ],
    [
      'an unknown policy',
      { policy: 'sometimes' as never },
      'config_invalid: policy: unknown policy "sometimes"; ' +
        'expected one of prefer-tunnel, tunnel-only, direct',
    ],
    [
      'a host map in production mode',
      { production: true, hostMap: { 'web.whatsapp.com': '127.0.0.1:41001' } },
      'config_invalid: hostMap: a development host map is refused in production mode',
    ],
    [
      'a host map with a bad entry',
      { hostMap: { '*.whatsapp.net': 'nowhere' } },
      'config_invalid: hostMap["*.whatsapp.net"]: "nowhere" is not "host:port"',
    ],
    [
      'a CA that is not PEM',
      { ca: 'not a certificate' },
      'config_invalid: ca: holds no PEM certificate',
    ],
    [
      'a CA that does not parse',
      { ca: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
      'config_invalid: ca: certificate 1 does not parse',
    ],
    [
      'a deadline that is not positive',
      { deadlines: { exchangeBaseMs: 0 } },
      'config_invalid: deadlines.exchangeBaseMs: must be a positive number',
    ],
  ])('fails at once on %s', (_name, change, message) => {
    expect(() => createEgress({ ...good, ...change })).toThrow(message);
  });

  it('takes production mode from NODE_ENV when not told', () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(() =>
        createEgress({
          ...good,
          production: undefined,
          hostMap: { 'web.whatsapp.com': '127.0.0.1:1' },
        }),
      ).toThrow('config_invalid: hostMap: a development host map is refused in production mode');
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it('accepts an empty host map in production mode', async () => {
    const egress = createEgress({ ...good, production: true, hostMap: {} });
    await egress.close();
    expect(egress.closed).toBe(true);
  });
});
