import {
  addTransactionCapability,
  Curve,
  makeCacheableSignalKeyStore,
  proto,
  type SignalDataSet,
} from '@whiskeysockets/baileys';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthStore } from '../../src/store/index.js';
import { pairedCreds } from '../helpers/creds.js';

/** What each backend's test file provides to the shared store suite. */
export interface StoreFixture {
  /** A store over the fixture's database; the previous one must be closed first for SQLite. */
  open(): Promise<AuthStore>;
  /** How many creds writes the database has committed for the tenant. */
  credsVersion(tenant: string): Promise<number>;
}

const silent = pino({ level: 'silent' });

/** The behaviour every backend must show, run once per backend. */
export function describeAuthStore(fixture: StoreFixture): void {
  const stores: AuthStore[] = [];
  const open = async () => {
    const store = await fixture.open();
    stores.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close().catch(() => undefined);
  });

  describe('creds', () => {
    it('creates a new tenant with fresh, unpaired creds and lists it', async () => {
      const store = await open();
      const auth = await store.load('taqueria-norte');
      expect(auth.paired).toBe(false);
      expect(auth.state.creds.registered).toBe(false);
      expect(auth.state.creds.noiseKey.private).toHaveLength(32);
      const listed = await store.list();
      expect(listed.map((t) => [t.tenant, t.account])).toEqual([['taqueria-norte', null]]);
    });

    it('loads the same creds after the store is closed and opened again', async () => {
      let store = await open();
      const first = await store.load('cafe');
      const noise = Buffer.from(first.state.creds.noiseKey.public).toString('hex');
      first.state.creds.me = { id: '5215500000001:2@s.whatsapp.net', name: 'Cafe' };
      await first.saveCreds();
      await store.close();
      store = await open();
      const again = await store.load('cafe');
      expect(Buffer.from(again.state.creds.noiseKey.public).toString('hex')).toBe(noise);
      expect(again.state.creds.me?.id).toBe('5215500000001:2@s.whatsapp.net');
    });

    it('reports the account once the creds carry a signed device identity', async () => {
      const store = await open();
      const auth = await store.load('paired-one');
      Object.assign(auth.state.creds, pairedCreds('5215511112222'));
      await auth.saveCreds();
      expect(auth.paired).toBe(true);
      expect((await store.list())[0]?.account).toBe('5215511112222:7@s.whatsapp.net');
    });

    it('makes one write for ten saves asked in one turn, holding the last state', async () => {
      const store = await open();
      const auth = await store.load('busy');
      const before = await fixture.credsVersion('busy');
      const saves: Promise<void>[] = [];
      for (let i = 1; i <= 10; i++) {
        auth.state.creds.accountSyncCounter = i;
        saves.push(auth.saveCreds());
      }
      await Promise.all(saves);
      expect((await fixture.credsVersion('busy')) - before).toBe(1);
      await auth.close();
      expect((await store.load('busy')).state.creds.accountSyncCounter).toBe(10);
    });

    it('flush resolves only after every save asked for so far is committed', async () => {
      const store = await open();
      const auth = await store.load('flushing');
      auth.state.creds.nextPreKeyId = 31;
      void auth.saveCreds();
      auth.state.creds.nextPreKeyId = 62;
      void auth.saveCreds();
      await auth.flush();
      await auth.close();
      expect((await store.load('flushing')).state.creds.nextPreKeyId).toBe(62);
    });

    it('refuses a second load of a tenant that is open, and allows it after close', async () => {
      const store = await open();
      const auth = await store.load('single');
      await expect(store.load('single')).rejects.toMatchObject({ code: 'store_tenant_open' });
      await auth.close();
      await expect(store.load('single')).resolves.toMatchObject({ tenant: 'single' });
    });

    it('refuses writes through a closed handle', async () => {
      const store = await open();
      const auth = await store.load('closed-handle');
      await auth.close();
      await expect(auth.saveCreds()).rejects.toMatchObject({ code: 'store_closed' });
      await expect(auth.state.keys.set({ session: { a: Buffer.from([1]) } })).rejects.toMatchObject(
        {
          code: 'store_closed',
        },
      );
    });

    it('refuses a tenant id that is not a slug', async () => {
      const store = await open();
      await expect(store.load('Bad Tenant/..')).rejects.toMatchObject({
        code: 'store_invalid_tenant',
      });
    });
  });

  describe('keys', () => {
    it('returns every key type as Baileys stored it, and omits ids it does not have', async () => {
      const store = await open();
      const auth = await store.load('keys');
      const preKey = Curve.generateKeyPair();
      const data: SignalDataSet = {
        'pre-key': { '7': preKey },
        session: { '5215500000001.0': Buffer.from('session-bytes') },
        'sender-key': { '120363000000000001@g.us::5215500000001::0': Buffer.from('sk') },
        'sender-key-memory': {
          '120363000000000001@g.us': { '5215500000001:0@s.whatsapp.net': true },
        },
        'app-state-sync-key': { 'AAAAAIxy/w==': { keyData: Buffer.from([9, 8, 7]), timestamp: 5 } },
        'app-state-sync-version': {
          regular_high: { version: 3, hash: Buffer.alloc(128, 1), indexValueMap: {} },
        },
        'lid-mapping': {
          '5215500000001': '123456789012345',
          '123456789012345_reverse': '5215500000001',
        },
        'device-list': { '5215500000001': ['0', '3'] },
        tctoken: { __index: { token: Buffer.from('["a@s.whatsapp.net"]') } },
        'identity-key': { '5215500000001.0': new Uint8Array([5, 1, 2, 3]) },
      };
      await auth.state.keys.set(data);
      const keys = auth.state.keys;
      expect(await keys.get('pre-key', ['7', '8'])).toEqual({
        '7': { public: Buffer.from(preKey.public), private: Buffer.from(preKey.private) },
      });
      expect(await keys.get('session', ['5215500000001.0'])).toEqual({
        '5215500000001.0': Buffer.from('session-bytes'),
      });
      const sync = await keys.get('app-state-sync-key', ['AAAAAIxy/w==']);
      expect(sync['AAAAAIxy/w==']).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
      expect(Buffer.from(sync['AAAAAIxy/w==']?.keyData ?? []).toString('hex')).toBe('090807');
      expect(await keys.get('lid-mapping', ['123456789012345_reverse'])).toEqual({
        '123456789012345_reverse': '5215500000001',
      });
      expect(await keys.get('device-list', ['5215500000001'])).toEqual({
        '5215500000001': ['0', '3'],
      });
      expect(await keys.get('identity-key', ['5215500000001.0'])).toEqual({
        '5215500000001.0': Buffer.from([5, 1, 2, 3]),
      });
      expect((await keys.get('tctoken', ['__index']))['__index']?.token.toString()).toBe(
        '["a@s.whatsapp.net"]',
      );
    });

    it('deletes a key set to null and leaves the others', async () => {
      const store = await open();
      const auth = await store.load('deletes');
      await auth.state.keys.set({ session: { a: Buffer.from([1]), b: Buffer.from([2]) } });
      await auth.state.keys.set({ session: { a: null } });
      expect(Object.keys(await auth.state.keys.get('session', ['a', 'b']))).toEqual(['b']);
    });

    it('keeps one tenant’s keys apart from another’s', async () => {
      const store = await open();
      const one = await store.load('one');
      const two = await store.load('two');
      await one.state.keys.set({ session: { shared: Buffer.from('one') } });
      expect(await two.state.keys.get('session', ['shared'])).toEqual({});
    });

    it(
      'serves Baileys’ own cache and transaction ' + 'layers and commits when the transaction ends',
      async () => {
        const store = await open();
        const auth = await store.load('layers');
        const cached = makeCacheableSignalKeyStore(auth.state.keys, silent);
        const keys = addTransactionCapability(cached, silent, {
          maxCommitRetries: 1,
          delayBetweenTriesMs: 1,
        });
        await keys.transaction(async () => {
          await keys.set({ session: { '5215500000009.0': Buffer.from('in-tx') } });
          expect(await auth.state.keys.get('session', ['5215500000009.0'])).toEqual({});
        }, 'tx');
        expect(await auth.state.keys.get('session', ['5215500000009.0'])).toEqual({
          '5215500000009.0': Buffer.from('in-tx'),
        });
      },
    );

    it('clears every key of the tenant through keys.clear', async () => {
      const store = await open();
      const auth = await store.load('key-clear');
      await auth.state.keys.set({
        session: { a: Buffer.from([1]) },
        'pre-key': { '1': Curve.generateKeyPair() },
      });
      await auth.state.keys.clear?.();
      expect(await auth.state.keys.get('session', ['a'])).toEqual({});
      expect(await auth.state.keys.get('pre-key', ['1'])).toEqual({});
    });
  });

  describe('tenants', () => {
    it('clear (logout) drops creds and keys, and the next load starts a new pairing', async () => {
      const store = await open();
      const auth = await store.load('logout');
      Object.assign(auth.state.creds, pairedCreds());
      await auth.saveCreds();
      await auth.state.keys.set({ session: { a: Buffer.from([1]) } });
      const oldNoise = Buffer.from(auth.state.creds.noiseKey.public).toString('hex');
      await expect(store.clear('logout')).rejects.toMatchObject({ code: 'store_tenant_open' });
      await auth.close();
      await store.clear('logout');
      expect((await store.list()).map((t) => [t.tenant, t.account])).toEqual([['logout', null]]);
      const fresh = await store.load('logout');
      expect(fresh.paired).toBe(false);
      expect(Buffer.from(fresh.state.creds.noiseKey.public).toString('hex')).not.toBe(oldNoise);
      expect(await fresh.state.keys.get('session', ['a'])).toEqual({});
    });

    it('delete removes the tenant and its keys, and reports whether it existed', async () => {
      const store = await open();
      const auth = await store.load('gone');
      await auth.state.keys.set({ session: { a: Buffer.from([1]) } });
      await auth.close();
      expect(await store.delete('gone')).toBe(true);
      expect(await store.delete('gone')).toBe(false);
      expect(await store.list()).toEqual([]);
      const again = await store.load('gone');
      expect(await again.state.keys.get('session', ['a'])).toEqual({});
    });

    it('lists tenants in id order', async () => {
      const store = await open();
      for (const tenant of ['zeta', 'alpha', 'mid']) await (await store.load(tenant)).close();
      expect((await store.list()).map((t) => t.tenant)).toEqual(['alpha', 'mid', 'zeta']);
    });
  });

  describe('snapshot import', () => {
    const snapshot = () => ({
      creds: pairedCreds('5215533334444'),
      keys: new Map([
        ['pre-key', new Map<string, unknown>([['1', Curve.generateKeyPair()]])],
        ['session', new Map<string, unknown>([['5215500000001.0', Buffer.from('s')]])],
      ]),
    });

    it('writes creds and keys of a new tenant', async () => {
      const store = await open();
      await store.importSnapshot('imported', snapshot());
      const auth = await store.load('imported');
      expect(auth.paired).toBe(true);
      expect(await auth.state.keys.get('session', ['5215500000001.0'])).toEqual({
        '5215500000001.0': Buffer.from('s'),
      });
    });

    it('refuses to overwrite a paired tenant unless asked to replace it', async () => {
      const store = await open();
      await store.importSnapshot('taken', snapshot());
      await expect(store.importSnapshot('taken', snapshot())).rejects.toMatchObject({
        code: 'import_tenant_exists',
      });
      const replacement = snapshot();
      await store.importSnapshot('taken', replacement, { replace: true });
      const auth = await store.load('taken');
      expect(auth.state.creds.registrationId).toBe(replacement.creds.registrationId);
    });
  });

  it('refuses every call once closed', async () => {
    const store = await open();
    await store.close();
    await expect(store.load('late')).rejects.toMatchObject({ code: 'store_closed' });
    await expect(store.list()).rejects.toMatchObject({ code: 'store_closed' });
  });
}
