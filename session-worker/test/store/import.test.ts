import {
  BufferJSON,
  Curve,
  proto,
  useMultiFileAuthState,
  type SignalDataSet,
} from '@whiskeysockets/baileys';
import { mkdtemp, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPgAuthStore,
  createSqliteAuthStore,
  importMultiFileFolder,
  openPostgres,
  openSqliteFile,
  type AuthStore,
} from '../../src/store/index.js';
import { pairedCreds } from '../helpers/creds.js';
import { TEST_DATABASE_URL, dropSchema, uniqueSchema } from '../helpers/pg.js';

const OLD_GROUP = '5215512345678-1600000000@g.us';
const SENDER_KEY_ID = `${OLD_GROUP}::123456789012345_1::2`;
const SYNC_KEY_ID = 'AAAAAJd/x0=';

/** Keys of every type, with the ids whose file names Baileys mangles. */
function sampleKeys(): SignalDataSet {
  return {
    'pre-key': { '1': Curve.generateKeyPair(), '2': Curve.generateKeyPair() },
    session: { '5215500000001.0': { _sessions: {}, version: 'v1' } as never },
    'sender-key': { [SENDER_KEY_ID]: Buffer.from('{"senderKeyStates":[]}') },
    'sender-key-memory': { [OLD_GROUP]: { '5215500000001:0@s.whatsapp.net': true } },
    'app-state-sync-key': {
      [SYNC_KEY_ID]: proto.Message.AppStateSyncKeyData.fromObject({
        keyData: Buffer.from([1, 2, 3]),
        timestamp: 7,
      }),
    },
    'app-state-sync-version': {
      critical_unblock_low: { version: 4, hash: Buffer.alloc(128, 2), indexValueMap: {} },
    },
    'lid-mapping': {
      '5215500000001': '123456789012345',
      '123456789012345_reverse': '5215500000001',
    },
    'device-list': { '5215500000001': ['0', '2'] },
    tctoken: { __index: { token: Buffer.from('[]') } },
    'identity-key': { '5215500000001.0': Buffer.from([5, 9, 9]) },
  };
}

/** A folder written by Baileys' own multi-file helper for a paired device. */
async function writeBaileysFolder(folder: string): Promise<void> {
  const { state, saveCreds } = await useMultiFileAuthState(folder);
  // Pre-keys 1 and 2 exist below, so the creds count them as made.
  Object.assign(state.creds, pairedCreds('5215599998888'), {
    nextPreKeyId: 3,
    firstUnuploadedPreKeyId: 3,
  });
  await saveCreds();
  await state.keys.set(sampleKeys());
}

/** A folder saved right after pairing, before the first login made any pre-key. */
async function writeFreshlyPairedFolder(folder: string): Promise<void> {
  const { state, saveCreds } = await useMultiFileAuthState(folder);
  Object.assign(state.creds, pairedCreds('5215599997777'));
  await saveCreds();
}

function describeImport(name: string, openStore: () => Promise<AuthStore>) {
  describe(`importing a Baileys multi-file folder into the ${name} store`, () => {
    let folder: string;
    let store: AuthStore;

    beforeEach(async () => {
      folder = await mkdtemp(join(tmpdir(), 'pasarela-import-'));
      await writeBaileysFolder(folder);
      store = await openStore();
    });
    afterEach(async () => {
      await store.close().catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    });

    it(
      'accepts a folder saved between pairing ' + 'and the first login, with no pre-keys yet',
      async () => {
        const fresh = await mkdtemp(join(tmpdir(), 'pasarela-import-fresh-'));
        try {
          await writeFreshlyPairedFolder(fresh);
          expect(await readdir(fresh)).toEqual(['creds.json']);
          const result = await importMultiFileFolder(store, 'fresh', fresh);
          expect(result).toMatchObject({ tenant: 'fresh', keys: {} });
          expect((await store.list()).map((t) => t.tenant)).toContain('fresh');
        } finally {
          await rm(fresh, { recursive: true, force: true });
        }
      },
    );

    it('brings in creds and every key under its original id', async () => {
      const result = await importMultiFileFolder(store, 'moved', folder);
      expect(result).toEqual({
        tenant: 'moved',
        account: '5215599998888:7@s.whatsapp.net',
        keys: {
          'app-state-sync-key': 1,
          'app-state-sync-version': 1,
          'device-list': 1,
          'identity-key': 1,
          'lid-mapping': 2,
          'pre-key': 2,
          'sender-key': 1,
          'sender-key-memory': 1,
          session: 1,
          tctoken: 1,
        },
        ignored: [],
      });
      const auth = await store.load('moved');
      const { state } = await useMultiFileAuthState(folder);
      expect(auth.paired).toBe(true);
      expect(auth.state.creds.noiseKey).toEqual(state.creds.noiseKey);
      expect(auth.state.creds.me?.id).toBe('5215599998888:7@s.whatsapp.net');
      const expected = sampleKeys();
      for (const [type, entries] of Object.entries(expected)) {
        const ids = Object.keys(entries ?? {});
        const ours = await auth.state.keys.get(type as never, ids);
        const theirs = await state.keys.get(type as never, ids);
        expect(ours, type).toEqual(theirs);
        expect(Object.keys(ours).sort(), type).toEqual(ids.sort());
      }
    });

    const refusals: [string, (folder: string) => Promise<void>, string, string][] = [
      ['creds.json is missing', (f) => rm(join(f, 'creds.json')), 'import_missing_creds', ''],
      [
        'creds.json is empty',
        (f) => truncate(join(f, 'creds.json'), 0),
        'import_corrupt_file',
        'creds.json',
      ],
      [
        'a key file was cut short',
        (f) => truncate(join(f, 'session-5215500000001.0.json'), 9),
        'import_corrupt_file',
        'session-5215500000001.0.json',
      ],
      [
        'creds lack their noise key',
        async (f) =>
          writeFile(
            join(f, 'creds.json'),
            JSON.stringify(credsWithout('noiseKey'), BufferJSON.replacer),
          ),
        'import_invalid_creds',
        'field noiseKey',
      ],
      [
        'the device never finished pairing',
        async (f) => {
          const { state, saveCreds } = await useMultiFileAuthState(f);
          state.creds.account = undefined;
          await saveCreds();
        },
        'import_not_paired',
        '',
      ],
      [
        'a pre-key holds a number instead of a key pair',
        (f) => writeFile(join(f, 'pre-key-2.json'), '42'),
        'import_invalid_key',
        'pre-key-2.json (pre-key)',
      ],
      [
        'a foreign file sits in the folder',
        (f) => writeFile(join(f, 'notes.txt'), 'hello'),
        'import_unknown_file',
        'notes.txt',
      ],
      [
        'no pre-key survived the copy',
        async (f) => {
          for (const name of await readdir(f))
            if (name.startsWith('pre-key-')) await rm(join(f, name));
        },
        'import_missing_keys',
        '',
      ],
    ];

    it.each(refusals)(
      'refuses the folder when %s, writing nothing',
      async (_, spoil, code, detail) => {
        await spoil(folder);
        const attempt = importMultiFileFolder(store, 'refused', folder);
        await expect(attempt).rejects.toMatchObject({ code });
        if (detail) await expect(attempt).rejects.toThrow(detail);
        expect(await store.list()).toEqual([]);
      },
    );

    it('leaves an existing tenant untouched when a replacing import is refused', async () => {
      await importMultiFileFolder(store, 'kept', folder);
      const before = await store.load('kept');
      const registrationId = before.state.creds.registrationId;
      await before.close();
      await truncate(join(folder, 'pre-key-1.json'), 3);
      await expect(
        importMultiFileFolder(store, 'kept', folder, { replace: true }),
      ).rejects.toMatchObject({ code: 'import_corrupt_file' });
      const after = await store.load('kept');
      expect(after.state.creds.registrationId).toBe(registrationId);
      expect(Object.keys(await after.state.keys.get('pre-key', ['1', '2']))).toEqual(['1', '2']);
    });

    it('skips foreign files only when told to, and says which', async () => {
      await writeFile(join(folder, '.DS_Store'), 'x');
      const result = await importMultiFileFolder(store, 'lenient', folder, {
        ignoreUnknownFiles: true,
      });
      expect(result.ignored).toEqual(['.DS_Store']);
    });

    it('refuses a path that is not a folder', async () => {
      await expect(
        importMultiFileFolder(store, 'nowhere', join(folder, 'creds.json')),
      ).rejects.toMatchObject({ code: 'import_not_a_folder' });
    });
  });
}

function credsWithout(field: string): Record<string, unknown> {
  const creds = pairedCreds() as unknown as Record<string, unknown>;
  delete creds[field];
  return creds;
}

const sqliteFolders: string[] = [];
describeImport('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'pasarela-import-db-'));
  sqliteFolders.push(folder);
  return createSqliteAuthStore(
    await openSqliteFile({ path: join(folder, 'auth.db'), lockWaitMs: 0, lockPollMs: 10 }),
  );
});

const schemas: string[] = [];
describeImport('PostgreSQL', async () => {
  const schema = uniqueSchema('import');
  schemas.push(schema);
  return createPgAuthStore(
    await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
  );
});

describe('a PostgreSQL import the database refuses part-way', () => {
  it('rolls back whole, leaving the store as it was', async () => {
    const schema = uniqueSchema('import_nul');
    schemas.push(schema);
    const store = createPgAuthStore(
      await openPostgres({ connectionString: TEST_DATABASE_URL, schema, poolSize: 2 }),
    );
    try {
      const keys = new Map([
        ['pre-key', new Map<string, unknown>([['1', Curve.generateKeyPair()]])],
        // PostgreSQL text cannot hold NUL: the insert fails after the creds were written.
        ['session', new Map<string, unknown>([['bad\u0000id', Buffer.from('s')]])],
      ]);
      await expect(store.importSnapshot('half', { creds: pairedCreds(), keys })).rejects.toThrow(
        /0x00/,
      );
      expect(await store.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

afterAll(async () => {
  for (const schema of schemas) await dropSchema(schema);
  for (const folder of sqliteFolders) await rm(folder, { recursive: true, force: true });
});
