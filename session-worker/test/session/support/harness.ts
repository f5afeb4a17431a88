import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Standin } from '@pasarela/standin';
import pino from 'pino';
import { createEgress, EgressAudit } from '../../../src/egress/index.js';
import { SqliteLeaseManager, type LeaseManager } from '../../../src/lease/index.js';
import {
  SessionManager,
  parseSessionConfig,
  type SessionConfig,
  type SessionManagerOptions,
  type SessionStatus,
  type SessionTransition,
} from '../../../src/session/index.js';
import { createSqliteAuthStore, openSqliteFile, type AuthStore } from '../../../src/store/index.js';

/** Baileys and lease timings shortened for tests; every wait bound is derived from these. */
export const TEST_SESSION_SETTINGS = {
  leaseDurationMs: 1_500,
  leaseRenewIntervalMs: 300,
  takeoverBoundMs: 3_000,
  revokeTimeoutMs: 5_000,
  keepAliveIntervalMs: 2_000,
  connectTimeoutMs: 5_000,
  defaultQueryTimeoutMs: 10_000,
  backoffBaseMs: 200,
  backoffMaxMs: 2_000,
  sqliteLockWaitMs: 20_000,
  sqliteLockPollMs: 50,
  socketCloseTimeoutMs: 2_000,
  pairingCodeWaitMs: 10_000,
} as const;

/** Every line the worker's pino logger wrote, parsed. */
export class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  readonly text: string[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      this.text.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

export interface Harness {
  readonly manager: SessionManager;
  readonly store: AuthStore;
  readonly leases: LeaseManager;
  readonly config: SessionConfig;
  readonly logs: LogSink;
  readonly transitions: SessionTransition[];
  readonly folder: string;
  /** Resolves when `tenant` reaches `status` (from transitions seen after `from`). */
  reach(
    tenant: string,
    status: SessionStatus,
    timeoutMs: number,
    from?: number,
  ): Promise<SessionTransition>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly settings?: Record<string, number>;
  /** Reuse a store folder (a worker restart); a fresh one otherwise. */
  readonly folder?: string;
  readonly manager?: Partial<SessionManagerOptions>;
  /** Leave `manager.run()` (taking the leases) to the test. */
  readonly deferRun?: boolean;
}

/**
 * A session manager in this process on a SQLite store, with real Baileys
 * reaching the stand-in through each tenant's real egress.
 */
export async function startHarness(
  standin: Standin,
  options: HarnessOptions = {},
): Promise<Harness> {
  const config = parseSessionConfig({ ...TEST_SESSION_SETTINGS, ...options.settings });
  const folder = options.folder ?? (await mkdtemp(join(tmpdir(), 'pasarela-sessions-')));
  const file = await openSqliteFile({
    path: join(folder, 'auth.db'),
    lockWaitMs: config.sqliteLockWaitMs,
    lockPollMs: config.sqliteLockPollMs,
  });
  const store = createSqliteAuthStore(file);
  const leases = new SqliteLeaseManager({
    file,
    tenants: async () => (await store.list()).map((t) => t.tenant),
    config,
  });
  const logs = new LogSink();
  const logger = pino({ level: 'debug' }, logs);
  const audit = new EgressAudit();
  const manager = new SessionManager({
    store,
    leases,
    logger,
    config,
    egressFor: (tenant) =>
      createEgress({
        tenant,
        policy: 'direct',
        hostMap: standin.hostMap,
        ca: standin.caPem,
        production: false,
        audit,
        logger: logger.child({ tenant, component: 'egress' }),
      }),
    ...options.manager,
  });
  const transitions: SessionTransition[] = [];
  const waiters = new Set<() => void>();
  manager.on('transition', (change) => {
    transitions.push(change);
    for (const wake of waiters) wake();
  });
  if (!options.deferRun) await manager.run();
  return {
    manager,
    store,
    leases,
    config,
    logs,
    transitions,
    folder,
    reach(tenant, status, timeoutMs, from = 0) {
      const find = () =>
        transitions.slice(from).find((t) => t.tenant === tenant && t.to === status);
      const found = find();
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = transitions
            .filter((t) => t.tenant === tenant)
            .map((t) => `${t.to}(${t.reason})`);
          reject(
            new Error(
              `${tenant} did not reach ${status} within ${timeoutMs} ms; saw ${seen.join(' ')}`,
            ),
          );
        }, timeoutMs);
        const check = () => {
          const hit = find();
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit);
        };
        waiters.add(check);
      });
    },
    async close() {
      await manager.shutdown();
      await store.close();
      if (!options.folder) await rm(folder, { recursive: true, force: true });
    },
  };
}

const scanners = new WeakMap<Harness, Map<string, string>>();

/** Has the stand-in's phone scan the first QR the manager shows for `tenant`. */
export function scanOnQr(harness: Harness, standin: Standin, tenant: string, phone: string): void {
  let pending = scanners.get(harness);
  if (!pending) {
    const waiting = new Map<string, string>();
    pending = waiting;
    scanners.set(harness, waiting);
    harness.manager.on('qr', (event) => {
      const number = waiting.get(event.tenant);
      if (number === undefined) return;
      waiting.delete(event.tenant);
      void standin.control.scanQr(event.qr, { phone: number });
    });
  }
  pending.set(tenant, phone);
}

/**
 * Starts `tenant`, lets the stand-in's phone scan its first QR, and waits until it is connected.
 */
export async function pairTenant(
  harness: Harness,
  standin: Standin,
  tenant: string,
  phone: string,
): Promise<void> {
  const from = harness.transitions.length;
  scanOnQr(harness, standin, tenant, phone);
  await harness.manager.start(tenant);
  await harness.reach(tenant, 'connected', harness.config.connectTimeoutMs * 4, from);
}

/** Status changes of `tenant` from `from` on, as `to(reason)`. */
export function statuses(harness: Harness, tenant: string, from = 0): string[] {
  return harness.transitions
    .slice(from)
    .filter((t) => t.tenant === tenant)
    .map((t) => `${t.to}(${t.reason})`);
}
