import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe } from 'vitest';
import { createSqliteAuthStore, openSqliteFile, type SqliteFile } from '../../src/store/index.js';
import { describeAuthStore } from './contract.js';

describe('SQLite auth store', () => {
  let path: string;
  let file: SqliteFile | undefined;
  const folders: string[] = [];

  beforeEach(async () => {
    const folder = await mkdtemp(join(tmpdir(), 'pasarela-sqlite-store-'));
    folders.push(folder);
    path = join(folder, 'auth.db');
  });
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  describeAuthStore({
    open: async () => {
      file = await openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 });
      return createSqliteAuthStore(file);
    },
    // The store holds the file's exclusive lock, so its own connection reads.
    credsVersion: async (tenant) =>
      (
        file?.db
          .prepare('SELECT creds_version AS v FROM auth_tenants WHERE tenant_id = ?')
          .get(tenant) as { v: number }
      ).v,
  });
});
