import type { EgressPolicy } from '@pasarela/shared';
import type { WASocket } from '@whiskeysockets/baileys';
import type { Logger } from 'pino';
import {
  createEgress,
  installProcessGuards,
  type ProcessGuards,
  type TenantEgress,
} from '../egress/index.js';
import { PgLeaseManager, SqliteLeaseManager, type LeaseManager } from '../lease/index.js';
import { SessionManager, type ExtraSocketOptions } from '../session/index.js';
import {
  createPgAuthStore,
  createSqliteAuthStore,
  openPostgres,
  openSqliteFile,
  type AuthStore,
  type PgDatabase,
  type SqliteFile,
} from '../store/index.js';
import type { WorkerSettings } from './env.js';

/** The database the store runs on; other records of the worker live beside the auth state. */
export type WorkerDatabase =
  | { readonly kind: 'sqlite'; readonly file: SqliteFile }
  | { readonly kind: 'postgres'; readonly database: PgDatabase };

/** What the layers above the sessions plug in, decided once the store is open. */
export interface WorkerHooks {
  /** The egress policy a tenant's egress is built with (the worker default otherwise). */
  readonly policyFor?: (tenant: string) => EgressPolicy;
  readonly socketOptions?: (tenant: string) => ExtraSocketOptions;
  readonly onSocket?: (tenant: string, sock: WASocket) => void;
  /** Wraps the egress factory (the tunnel attaches its route here). */
  readonly wrapEgress?: (
    make: (tenant: string) => TenantEgress,
  ) => (tenant: string) => TenantEgress;
  /** Runs after every session stopped and before the store closes. */
  readonly beforeStoreClose?: () => Promise<void>;
}

export interface WorkerParts {
  readonly database: WorkerDatabase;
  readonly store: AuthStore;
  readonly leases: LeaseManager;
}

/** A running worker: its store, leases and sessions. */
export interface Worker {
  readonly manager: SessionManager;
  readonly leases: LeaseManager;
  readonly store: AuthStore;
  readonly database: WorkerDatabase;
  readonly replicaId: string;
  /**
   * Stops every tenant (sockets end, creds are flushed), releases every lease
   * at once, then closes the store and puts the process guards back.
   */
  shutdown(): Promise<void>;
  /**
   * Starts taking this worker's share of tenants (paired ones log in at
   * once). Separate from building the worker, so every listener is in
   * place before the first session starts.
   */
  run(): Promise<void>;
}

/**
 * Opens the store (on SQLite, waiting for a worker that still holds the file
 * during a rolling deploy), installs the process guards, and starts taking
 * this worker's share of tenants.
 */
export async function startWorker(
  settings: WorkerSettings,
  logger: Logger,
  setup?: (parts: WorkerParts) => Promise<WorkerHooks> | WorkerHooks,
): Promise<Worker> {
  const guards: ProcessGuards = installProcessGuards({
    mode: settings.egress.guardMode,
    logger: logger.child({ component: 'guards' }),
  });
  let store: AuthStore;
  let leases: LeaseManager;
  let database: WorkerDatabase;
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
      database = { kind: 'sqlite', file };
      leases = new SqliteLeaseManager({ file, tenants, config: settings.session });
    } else {
      const pg = await openPostgres({
        connectionString: settings.store.url,
        schema: settings.store.schema,
        onError: (error) => logger.warn({ err: { message: error.message } }, 'database error'),
      });
      store = createPgAuthStore(pg);
      database = { kind: 'postgres', database: pg };
      leases = new PgLeaseManager({
        database: pg,
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

  let hooks: WorkerHooks = {};
  try {
    hooks = (await setup?.({ database, store, leases })) ?? {};
  } catch (error) {
    await store.close().catch(() => undefined);
    guards.uninstall();
    throw error;
  }
  const egressLog = logger.child({ component: 'egress' });
  const makeEgress = (tenant: string) =>
    createEgress({
      tenant,
      policy: hooks.policyFor?.(tenant) ?? settings.egress.defaultPolicy,
      hostMap: settings.egress.hostMap,
      ...(settings.egress.ca ? { ca: settings.egress.ca } : {}),
      production: settings.egress.production,
      logger: egressLog,
    });
  const manager = new SessionManager({
    store,
    leases,
    logger,
    config: settings.session,
    baileysLogLevel: settings.baileysLogLevel,
    egressFor: hooks.wrapEgress ? hooks.wrapEgress(makeEgress) : makeEgress,
    ...(hooks.socketOptions ? { socketOptions: hooks.socketOptions } : {}),
    ...(hooks.onSocket ? { onSocket: hooks.onSocket } : {}),
  });
  manager.on('alert', (alert) => logger.error({ ...alert }, 'session needs attention'));

  let stopping: Promise<void> | undefined;
  const worker: Worker = {
    manager,
    leases,
    store,
    database,
    replicaId: leases.replicaId,
    async run() {
      await manager.run();
      logger.info({ replica: leases.replicaId, store: settings.store.kind }, 'worker running');
    },
    shutdown() {
      stopping ??= (async () => {
        await manager.shutdown();
        await hooks
          .beforeStoreClose?.()
          .catch((error: unknown) =>
            logger.error({ err: { message: (error as Error).message } }, 'closing the API failed'),
          );
        await store.close();
        guards.uninstall();
      })();
      return stopping;
    },
  };
  return worker;
}
