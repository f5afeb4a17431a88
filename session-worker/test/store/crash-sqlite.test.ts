import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteAuthStore, openSqliteFile } from '../../src/store/index.js';
import { RUNS, crashRuns, type KeyRow } from './crash-runs.js';

describe('the SQLite store killed with SIGKILL mid-write', () => {
  let folder = '';
  afterAll(() => rm(folder, { recursive: true, force: true }));

  it(`loads consistent after each of ${RUNS} kills`, { timeout: 600_000 }, async () => {
    folder = await mkdtemp(join(tmpdir(), 'pasarela-crash-'));
    const path = join(folder, 'auth.db');
    await crashRuns(
      ['sqlite', path],
      async () => {
        const db = new Database(path, { readonly: true });
        try {
          expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
          return db
            .prepare("SELECT type, id, value FROM auth_keys WHERE tenant_id = 'crash'")
            .all() as KeyRow[];
        } finally {
          db.close();
        }
      },
      async () =>
        createSqliteAuthStore(await openSqliteFile({ path, lockWaitMs: 5_000, lockPollMs: 20 })),
    );
  });
});
