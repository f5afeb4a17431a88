import { describe, expect, it } from 'vitest';
import { readWorkerEnv, sessionVariable } from '../../src/service/env.js';
import { SESSION_DEFAULTS } from '../../src/session/index.js';
import { WorkerProcess } from './support/worker-process.js';

describe('the worker configuration from the environment', () => {
  it('runs on SQLite with the defaults when nothing is set', () => {
    const settings = readWorkerEnv({});
    expect(settings.store).toEqual({ kind: 'sqlite', path: 'data/pasarela.db' });
    expect(settings.session).toEqual({ ...SESSION_DEFAULTS });
    expect(settings.egress).toMatchObject({ defaultPolicy: 'direct', guardMode: 'refuse' });
    expect(settings).toMatchObject({
      logLevel: 'info',
      baileysLogLevel: 'warn',
      control: 'none',
      replicaId: undefined,
    });
  });

  it('reads every session tunable from PASARELA_ and its name in capitals', () => {
    expect(sessionVariable('leaseDurationMs')).toBe('PASARELA_LEASE_DURATION_MS');
    expect(sessionVariable('versionCacheTtlMs')).toBe('PASARELA_VERSION_CACHE_TTL_MS');
    const settings = readWorkerEnv({
      PASARELA_STORE: 'postgres',
      PASARELA_DATABASE_URL: 'postgres://worker@db.internal:5432/pasarela',
      PASARELA_LEASE_DURATION_MS: '30000',
      PASARELA_TAKEOVER_BOUND_MS: '40000',
    });
    expect(settings.store).toEqual({
      kind: 'postgres',
      url: 'postgres://worker@db.internal:5432/pasarela',
      schema: 'pasarela',
    });
    expect(settings.session).toMatchObject({ leaseDurationMs: 30_000, takeoverBoundMs: 40_000 });
  });

  it.each([
    [{ PASARELA_STORE: 'mysql' }, 'PASARELA_STORE'],
    [{ PASARELA_STORE: 'postgres' }, 'PASARELA_DATABASE_URL'],
    [{ PASARELA_LEASE_DURATION_MS: '15s' }, 'PASARELA_LEASE_DURATION_MS'],
    [{ PASARELA_BACKOFF_JITTER: '2' }, 'PASARELA_BACKOFF_JITTER'],
    [{ PASARELA_LEASE_RENEW_INTERVAL_MS: '9000' }, 'PASARELA_LEASE_RENEW_INTERVAL_MS'],
    [{ PASARELA_LOG_LEVEL: 'loud' }, 'PASARELA_LOG_LEVEL'],
    [{ PASARELA_CONTROL: 'http' }, 'PASARELA_CONTROL'],
    [{ PASARELA_REPLICA_ID: 'a b' }, 'PASARELA_REPLICA_ID'],
  ])('refuses %o naming %s', (env, variable) => {
    expect(() => readWorkerEnv(env)).toThrow(
      expect.objectContaining({ code: 'config_invalid', variable }),
    );
    expect(() => readWorkerEnv(env)).toThrow(new RegExp(`^config_invalid: ${variable}: `));
  });

  it.each([
    [{ PASARELA_DEFAULT_POLICY: 'sometimes' }, 'PASARELA_DEFAULT_POLICY'],
    [{ PASARELA_GUARD_MODE: 'ignore' }, 'PASARELA_GUARD_MODE'],
    [{ PASARELA_CA_FILE: '/nonexistent/ca.pem' }, 'PASARELA_CA_FILE'],
    [{ PASARELA_HOST_MAP: 'web.whatsapp.com' }, 'PASARELA_HOST_MAP'],
    [
      { PASARELA_HOST_MAP: 'web.whatsapp.com=127.0.0.1:4000', NODE_ENV: 'production' },
      'PASARELA_HOST_MAP',
    ],
  ])('refuses egress settings %o naming %s', (env, variable) => {
    expect(() => readWorkerEnv(env)).toThrow(
      expect.objectContaining({ code: 'config_invalid', setting: variable }),
    );
  });

  it('stops the worker process at start-up with the variable named and status 78', async () => {
    const worker = new WorkerProcess({ PASARELA_KEEP_ALIVE_INTERVAL_MS: '-5' });
    expect(await worker.exited).toEqual({ code: 78, signal: null });
    const line = JSON.parse(worker.logs.at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 60,
      code: 'config_invalid',
      variable: 'PASARELA_KEEP_ALIVE_INTERVAL_MS',
    });
  });
});
