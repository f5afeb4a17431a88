import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSecrets, saveSecrets, tokenKeysJson, withTenantKey } from '../src/secrets.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pasarela-dev-secrets-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the local stack secrets', () => {
  it('are made on the first run, readable by their owner only', async () => {
    const { secrets, made } = await loadSecrets(dir);
    expect(made).toBe(true);
    expect(secrets.adminKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.tokenSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.tokenKeyId).toMatch(/^dev-[0-9a-f]{6}$/);
    expect(secrets.tenantKeys).toEqual({});
    expect((await stat(join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600);
  });

  it('are the same on the next run, tenant keys included', async () => {
    const first = await loadSecrets(dir);
    await saveSecrets(dir, withTenantKey(first.secrets, 'demo-restaurant', 'psk_abc_def'));
    const second = await loadSecrets(dir);
    expect(second.made).toBe(false);
    expect(second.secrets).toEqual({
      ...first.secrets,
      tenantKeys: { 'demo-restaurant': 'psk_abc_def' },
    });
  });

  it('give the room and the worker one TOKEN_KEYS value', async () => {
    const { secrets } = await loadSecrets(dir);
    expect(JSON.parse(tokenKeysJson(secrets))).toEqual({
      [secrets.tokenKeyId]: secrets.tokenSecret,
    });
  });

  it('refuse a file that is not theirs rather than replace it', async () => {
    await writeFile(join(dir, 'secrets.json'), '{"something":"else"}');
    await expect(loadSecrets(dir)).rejects.toThrow(/is not the local stack's secrets file/);
    expect(await readFile(join(dir, 'secrets.json'), 'utf8')).toBe('{"something":"else"}');
  });
});
