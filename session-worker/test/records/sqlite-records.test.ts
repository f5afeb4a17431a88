import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteRecordStore } from '../../src/records/index.js';
import { openSqliteFile, type SqliteFile } from '../../src/store/index.js';
import { recordStoreContract } from './contract.js';

const files: SqliteFile[] = [];
const folders: string[] = [];

afterAll(async () => {
  for (const file of files) file.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

recordStoreContract('SQLite', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'pasarela-records-'));
  folders.push(folder);
  const file = await openSqliteFile({ path: join(folder, 'w.db'), lockWaitMs: 0, lockPollMs: 10 });
  files.push(file);
  return new SqliteRecordStore(file.db);
});
