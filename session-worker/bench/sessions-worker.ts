/**
 * The measured side of the sessions benchmark, in a process of its own: a
 * worker's session manager on a SQLite store whose tenants are all paired.
 * One warm-up tenant connects first, so the one-time costs of the first
 * socket (lazy modules, compiled code, TLS setup) fall before the baseline;
 * then every measured tenant starts at once. It waits until all are
 * connected and idle, and reports resident memory and start-to-connected
 * times to its parent.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import pino from 'pino';
import { createEgress, EgressAudit } from '../src/egress/index.js';
import { SqliteLeaseManager } from '../src/lease/index.js';
import { SessionManager, parseSessionConfig } from '../src/session/index.js';
import { createSqliteAuthStore, openSqliteFile } from '../src/store/index.js';

export interface WorkerJob {
  readonly folder: string;
  /** Connected before the baseline is read; not among the measured tenants. */
  readonly warmUp: string;
  readonly hostMap: Record<string, string>;
  readonly ca: string;
  /** Measured tenants (the store holds these and the warm-up one). */
  readonly tenants: number;
  readonly idleMs: number;
}

export interface WorkerReport {
  readonly tenants: number;
  readonly rssBefore: number;
  readonly rssAfter: number;
  readonly heapBefore: number;
  readonly heapAfter: number;
  /** Per tenant, ms from its `starting` to its `connected`. */
  readonly startToConnected: number[];
  /** ms from taking the leases to the last tenant connected. */
  readonly allConnectedMs: number;
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const settle = () => {
  for (let i = 0; i < 4; i += 1) gc();
};

const job = await new Promise<WorkerJob>((resolve) => process.once('message', resolve));
const config = parseSessionConfig();
const file = await openSqliteFile({
  path: join(job.folder, 'auth.db'),
  lockWaitMs: 0,
  lockPollMs: 10,
});
const store = createSqliteAuthStore(file);
let visible = [job.warmUp];
const leases = new SqliteLeaseManager({ file, tenants: async () => visible, config });
const audit = new EgressAudit();
const manager = new SessionManager({
  store,
  leases,
  config,
  logger: pino({ level: 'silent' }),
  egressFor: (tenant) =>
    createEgress({
      tenant,
      policy: 'direct',
      hostMap: job.hostMap,
      ca: job.ca,
      production: false,
      audit,
    }),
});
const startedAt = new Map<string, number>();
const connectedAfter: number[] = [];
let connected: () => void = () => undefined;
manager.on('transition', (change) => {
  if (change.to === 'starting' && !startedAt.has(change.tenant)) {
    startedAt.set(change.tenant, performance.now());
  }
  if (change.to === 'connected') {
    if (change.tenant !== job.warmUp) {
      connectedAfter.push(performance.now() - (startedAt.get(change.tenant) ?? 0));
    }
    if (change.tenant === job.warmUp || connectedAfter.length === job.tenants) connected();
  }
  if (change.to === 'failed' || change.to === 'replaced') {
    process.stderr.write(`tenant ${change.tenant}: ${change.to} (${change.reason})\n`);
    process.exit(1);
  }
});
const idle = () => new Promise((resolve) => setTimeout(resolve, job.idleMs));

let done = new Promise<void>((resolve) => (connected = resolve));
await manager.run();
await done;
await idle();
settle();
const before = process.memoryUsage();

done = new Promise<void>((resolve) => (connected = resolve));
visible = (await store.list()).map((t) => t.tenant);
const run = performance.now();
await leases.refresh();
await done;
const allConnectedMs = performance.now() - run;
await idle();
settle();
const after = process.memoryUsage();

const report: WorkerReport = {
  tenants: job.tenants,
  rssBefore: before.rss,
  rssAfter: after.rss,
  heapBefore: before.heapUsed,
  heapAfter: after.heapUsed,
  startToConnected: connectedAfter,
  allConnectedMs,
};
process.send?.(report);
await manager.shutdown();
await store.close();
process.disconnect();
