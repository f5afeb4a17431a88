import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteLeaseManager, type Lease, type RevokeReason } from '../../src/lease/index.js';
import { parseSessionConfig } from '../../src/session/config.js';
import { openSqliteFile, type SqliteFile } from '../../src/store/index.js';

const config = parseSessionConfig({
  leaseRenewIntervalMs: 100,
  leaseDurationMs: 900,
  takeoverBoundMs: 1_200,
});

describe('SQLite leases (one replica, fenced by the file lock)', () => {
  let folder: string;
  let file: SqliteFile;
  let tenants: string[];
  let leases: SqliteLeaseManager;
  const started: Lease[] = [];
  const stopped: [string, RevokeReason][] = [];
  const holder = {
    start: (lease: Lease) => void started.push(lease),
    stop: async (tenant: string, reason: RevokeReason) => void stopped.push([tenant, reason]),
  };

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'pasarela-sqlite-lease-'));
    const path = join(folder, 'auth.db');
    // A worker took this file twice before: this one runs at epoch 3.
    closeAtOnce(await openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 }));
    closeAtOnce(await openSqliteFile({ path, lockWaitMs: 0, lockPollMs: 10 }));
    file = await openSqliteFile({ path, owner: 'worker-1', lockWaitMs: 0, lockPollMs: 10 });
    tenants = ['t1', 't2'];
    started.length = 0;
    stopped.length = 0;
    leases = new SqliteLeaseManager({ file, tenants: async () => tenants, config });
  });
  afterEach(async () => {
    await leases.shutdown();
    file.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('holds every tenant at the epoch the file gained when this worker took it', async () => {
    await leases.start(holder);
    expect(started).toEqual([
      { tenant: 't1', epoch: 3, owner: 'worker-1' },
      { tenant: 't2', epoch: 3, owner: 'worker-1' },
    ]);
    const proof = await leases.assertLease('t2');
    expect([proof.epoch, proof.owner]).toEqual([3, 'worker-1']);
    expect(() => proof.check()).not.toThrow();
  });

  it('starts created tenants and stops deleted ones on refresh', async () => {
    await leases.start(holder);
    tenants = ['t2', 't3'];
    await leases.refresh();
    expect(started.map((l) => l.tenant)).toEqual(['t1', 't2', 't3']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toEqual([['t1', 'removed']]);
    await expect(leases.assertLease('t1')).rejects.toMatchObject({ code: 'lease_not_held' });
  });

  it('refuses the lease once the file is closed', async () => {
    await leases.start(holder);
    file.close();
    await expect(leases.assertLease('t1')).rejects.toMatchObject({ code: 'lease_unverified' });
  });

  it('stops every tenant on shutdown and refuses leases afterwards', async () => {
    await leases.start(holder);
    await leases.shutdown();
    expect(stopped.sort()).toEqual([
      ['t1', 'shutdown'],
      ['t2', 'shutdown'],
    ]);
    await expect(leases.assertLease('t1')).rejects.toMatchObject({ code: 'lease_stopped' });
  });
});

function closeAtOnce(file: SqliteFile): void {
  file.close();
}
