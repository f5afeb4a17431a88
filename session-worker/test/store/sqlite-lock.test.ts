import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteFile, type SqliteFile } from '../../src/store/index.js';
import { Child } from '../helpers/child.js';

const holder = new URL('./fixtures/sqlite-holder.ts', import.meta.url);
// Generous: child processes start through tsx on a shared, busy machine.
const START_MS = 30_000;

describe('SQLite file lock', () => {
  let folder: string;
  let path: string;
  const open: SqliteFile[] = [];
  const children: Child[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pasarela-sqlite-lock-'));
    path = join(folder, 'auth.db');
  });
  afterEach(async () => {
    for (const file of open.splice(0)) file.close();
    for (const child of children.splice(0)) await child.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('refuses a second opener after its bounded wait, naming the holder', async () => {
    open.push(await openSqliteFile({ path, owner: 'old-worker', lockWaitMs: 0, lockPollMs: 10 }));
    const waits: number[] = [];
    const started = performance.now();
    const second = openSqliteFile({
      path,
      owner: 'new-worker',
      lockWaitMs: 400,
      lockPollMs: 50,
      onWaiting: (wait) => waits.push(wait.waitedMs),
    });
    await expect(second).rejects.toMatchObject({
      code: 'store_locked',
      context: { holderPid: process.pid },
    });
    await expect(second).rejects.toThrow(/worker old-worker \(pid \d+ on .+\) holds .*auth\.db/);
    const waited = Math.round(performance.now() - started);
    console.log(`second opener gave up after ${waited} ms (lockWaitMs 400)`);
    expect(waited).toBeGreaterThanOrEqual(400);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('gives a waiting opener the file once the holder closes, with the next epoch', async () => {
    const first = await openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 });
    const second = openSqliteFile({ path, lockWaitMs: 10_000, lockPollMs: 20 });
    await sleep(100);
    first.close();
    const file = await second;
    open.push(file);
    expect(file.epoch).toBe(first.epoch + 1);
  });

  it('keeps every other connection out while held, readers included', async () => {
    open.push(await openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 }));
    const reader = new Database(path, { timeout: 0, readonly: true });
    try {
      expect(() => reader.prepare('SELECT count(*) FROM auth_tenants').get()).toThrow(
        /database is locked/,
      );
    } finally {
      reader.close();
    }
  });

  it('refuses a file migrated by a newer release', async () => {
    (await openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 })).close();
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    await expect(openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 })).rejects.toMatchObject({
      code: 'store_schema_newer',
    });
  });

  it('an old and a new worker side by side never both hold the file', async () => {
    const old = new Child(holder, [path, '0', 'old']);
    children.push(old);
    const oldLocked = await old.waitFor((l) => l.ev === 'locked', START_MS);
    const next = new Child(holder, [path, '60000', 'new']);
    children.push(next);
    const waiting = await next.waitFor((l) => l.ev === 'waiting', START_MS);
    expect(waiting['holderPid']).toBe(old.pid);
    old.signal('SIGTERM');
    const released = await old.waitFor((l) => l.ev === 'released', START_MS);
    const newLocked = await next.waitFor((l) => l.ev === 'locked', START_MS);
    expect(await old.exited).toEqual({ code: 0, signal: null });
    console.log(
      `new worker took the file ${Number(newLocked['at']) - Number(released['at'])} ms after ` +
        'the old one released it',
    );
    expect(Number(newLocked['at'])).toBeGreaterThanOrEqual(Number(released['at']));
    expect(newLocked['epoch']).toBe(Number(oldLocked['epoch']) + 1);
    expect(newLocked['runs']).toBe(2);
  });

  it('a worker killed with SIGKILL leaves the file to the waiting one', async () => {
    const old = new Child(holder, [path, '0', 'old']);
    children.push(old);
    await old.waitFor((l) => l.ev === 'locked', START_MS);
    const next = new Child(holder, [path, '60000', 'new']);
    children.push(next);
    await next.waitFor((l) => l.ev === 'waiting', START_MS);
    old.signal('SIGKILL');
    expect((await old.exited).signal).toBe('SIGKILL');
    const newLocked = await next.waitFor((l) => l.ev === 'locked', START_MS);
    expect(newLocked['runs']).toBe(2);
  });

  it('a worker that cannot get the file in time stops with a clear report', async () => {
    const old = new Child(holder, [path, '0', 'old']);
    children.push(old);
    await old.waitFor((l) => l.ev === 'locked', START_MS);
    const next = new Child(holder, [path, '300', 'new']);
    children.push(next);
    const failed = await next.waitFor((l) => l.ev === 'failed', START_MS);
    expect(failed['code']).toBe('store_locked');
    expect(String(failed['message'])).toContain(`worker old (pid ${old.pid}`);
    expect((await next.exited).code).toBe(3);
  });
});
