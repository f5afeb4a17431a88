import type { Logger } from 'pino';
import { createEgress, installProcessGuards, type ProcessGuards } from '../egress/index.js';
import { PgLeaseManager, SqliteLeaseManager, type LeaseManager } from '../lease/index.js';
import { SessionManager } from '../session/index.js';
import {
  createPgAuthStore,
  createSqliteAuthStore,
  openPostgres,
  openSqliteFile,
  type AuthStore,
} from '../store/index.js';
import type { WorkerSettings } from './env.js';

/** A running worker: its store, leases and sessions. */
export interface Worker {
  readonly manager: SessionManager;
  readonly leases: LeaseManager;
  readonly store: AuthStore;
  readonly replicaId: string;
  /**
   * Stops every tenant (sockets end, creds are flushed), releases every lease
   * at once, then closes the store and puts the process guards back.
   */
  shutdown(): Promise<void>;
}

/**
 * Opens the store (on SQLite, waiting for a worker that still holds the file
 * during a rolling deploy), installs the process guards, and starts taking
 * this worker's share of tenants.
 */
export async function startWorker(settings: WorkerSettings, logger: Logger): Promise<Worker> {
  const guards: ProcessGuards = installProcessGuards({
    mode: settings.egress.guardMode,
    logger: logger.child({ component: 'guards' }),
  });
  let store: AuthStore;
  let leases: LeaseManager;
  const tenants = async () => (await store.list()).map((t) => t.tenant);
  try {
    if (settings.store.kind === 'sqlite') {
      const { path } = settings.store;
      const file = await openSqliteFile({
        path,
        lockWaitMs: settings.session.sqliteLockWaitMs,
        lockPollMs: settings.session.sqliteLockPollMs,
        ...(settings.replicaId ? { owner: settings.replicaId } : {}),
        onWaiting: ({ waitedMs, holder }) =>
          logger.info(
            { path, waitedMs, holderPid: holder?.pid, holderHost: holder?.host },
            'waiting for the worker holding the store file',
          ),
      });
      store = createSqliteAuthStore(file);
      leases = new SqliteLeaseManager({ file, tenants, config: settings.session });
    } else {
      const database = await openPostgres({
        connectionString: settings.store.url,
        schema: settings.store.schema,
        onError: (error) => logger.warn({ err: { message: error.message } }, 'database error'),
      });
      store = createPgAuthStore(database);
      leases = new PgLeaseManager({
        database,
        tenants,
        config: settings.session,
        ...(settings.replicaId ? { replicaId: settings.replicaId } : {}),
      });
    }
  } catch (error) {
    guards.uninstall();
    throw error;
  }

  const leaseLog = logger.child({ component: 'leases', replica: leases.replicaId });
  leases.on('acquired', (lease) =>
    leaseLog.info({ tenant: lease.tenant, epoch: lease.epoch }, 'lease acquired'),
  );
  leases.on('revoked', (lease, reason) =>
    leaseLog.info({ tenant: lease.tenant, epoch: lease.epoch, reason }, 'lease given up'),
  );
  leases.on('released', (lease) =>
    leaseLog.debug({ tenant: lease.tenant, epoch: lease.epoch }, 'lease released'),
  );
  leases.on('problem', (error, context) =>
    leaseLog.warn({ ...context, err: { message: error.message } }, 'lease problem'),
  );

  const egressLog = logger.child({ component: 'egress' });
  const manager = new SessionManager({
    store,
    leases,
    logger,
    config: settings.session,
    baileysLogLevel: settings.baileysLogLevel,
    egressFor: (tenant) =>
      createEgress({
        tenant,
        policy: settings.egress.defaultPolicy,
        hostMap: settings.egress.hostMap,
        ...(settings.egress.ca ? { ca: settings.egress.ca } : {}),
        production: settings.egress.production,
        logger: egressLog,
      }),
  });
  manager.on('alert', (alert) => logger.error({ ...alert }, 'session needs attention'));

  let stopping: Promise<void> | undefined;
  const worker: Worker = {
    manager,
    leases,
    store,
    replicaId: leases.replicaId,
    shutdown() {
      stopping ??= (async () => {
        await manager.shutdown();
        await store.close();
        guards.uninstall();
      })();
      return stopping;
    },
  };
  await manager.run();
  logger.info({ replica: leases.replicaId, store: settings.store.kind }, 'worker running');
  return worker;
}
