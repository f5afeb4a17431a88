import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from '../errors.js';
import { migrateSqlite } from './migrations.js';

/** Who holds the file, as the holder wrote it beside the database. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly owner: string;
  readonly since: number;
}

export interface LockWait {
  readonly path: string;
  readonly waitedMs: number;
  readonly holder: LockHolder | undefined;
}

export interface SqliteOpenOptions {
  readonly path: string;
  /** Longest wait for a file another worker holds; 0 fails at once. */
  readonly lockWaitMs: number;
  readonly lockPollMs: number;
  /** Names this worker in the holder note others read while they wait. */
  readonly owner?: string;
  /**
   * `full` syncs the write-ahead log on every commit, so a committed key
   * survives a power cut as well as a kill; `normal` survives kills only.
   */
  readonly synchronous?: 'full' | 'normal';
  /** Called before each retry while another worker holds the file. */
  readonly onWaiting?: (wait: LockWait) => void;
}

/** A SQLite store file held exclusively by this process until `close`. */
export interface SqliteFile {
  readonly db: Db;
  readonly path: string;
  /** Rises each time a worker takes the file: the lease epoch of SQLite mode. */
  readonly epoch: number;
  readonly owner: string;
  close(): void;
}

/**
 * Opens the store file and takes SQLite's exclusive lock on it for the whole
 * life of the process (`locking_mode=EXCLUSIVE` in WAL mode keeps the lock
 * after the first transaction). A second worker on the same file, as a
 * rolling deploy starts one beside the old, waits here until the old one
 * closes or dies: the kernel drops the lock of a killed process.
 */
export async function openSqliteFile(options: SqliteOpenOptions): Promise<SqliteFile> {
  const owner = options.owner ?? `${hostname()}-${process.pid}`;
  mkdirSync(dirname(options.path), { recursive: true });
  const db = new Database(options.path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    await takeLock(db, options);
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma('foreign_keys = ON');
    migrateSqlite(db);
    const now = Date.now();
    const row = db
      .prepare(
        'UPDATE worker_lock SET epoch = epoch + 1, owner ' +
          '= ?, acquired_at = ? WHERE id = 1 RETURNING epoch',
      )
      .get(owner, now) as { epoch: number };
    const holder: LockHolder = { pid: process.pid, host: hostname(), owner, since: now };
    writeFileSync(holderPath(options.path), JSON.stringify(holder));
    return {
      db,
      path: options.path,
      epoch: row.epoch,
      owner,
      close() {
        if (!db.open) return;
        if (readHolder(options.path)?.pid === process.pid)
          rmSync(holderPath(options.path), { force: true });
        db.close();
      },
    };
  } catch (error) {
    if (db.open) db.close();
    throw error;
  }
}

async function takeLock(db: Db, options: SqliteOpenOptions): Promise<void> {
  const started = performance.now();
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      db.exec('BEGIN EXCLUSIVE');
      db.exec('COMMIT');
      return;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    }
    const waitedMs = Math.round(performance.now() - started);
    const holder = readHolder(options.path);
    if (waitedMs >= options.lockWaitMs) {
      const by = holder
        ? `worker ${holder.owner} (pid ${holder.pid} on ${holder.host})`
        : 'another worker';
      throw new StoreError(
        'store_locked',
        `${by} holds ${options.path}; waited ${waitedMs} ms of ${options.lockWaitMs} ms`,
        { path: options.path, waitedMs, holderPid: holder?.pid, holderHost: holder?.host },
      );
    }
    options.onWaiting?.({ path: options.path, waitedMs, holder });
    await sleep(Math.min(options.lockPollMs, Math.max(1, options.lockWaitMs - waitedMs)));
  }
}

function holderPath(path: string): string {
  return `${path}.holder.json`;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(holderPath(path), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}
