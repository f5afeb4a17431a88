/**
 * Sessions against the stand-in: resident memory per connected idle tenant
 * for 10 and 100 tenants, and start-to-connected time p50/p95.
 *
 *   npm run bench -w session-worker -- sessions
 *
 * This process runs the stand-in and pairs the tenants; each measurement
 * runs in a fresh worker process (`sessions-worker.ts`) that logs every
 * tenant in at once from its store, so the figures hold the worker alone.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStandin } from '@pasarela/standin';
import { pairTenant, startHarness } from '../test/session/support/harness.js';
import type { WorkerJob, WorkerReport } from './sessions-worker.js';

const SIZES = [10, 100];
const PAIR_IN_PARALLEL = 10;
/** Time a fleet is left connected and idle before memory is read. */
const IDLE_MS = 5_000;

const standin = await startStandin();
const folders: string[] = [];

/** A store folder whose `count` tenants and a warm-up one are paired at the stand-in. */
async function pairedStore(count: number, label: string): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), `pasarela-bench-${label}-`));
  folders.push(folder);
  const harness = await startHarness(standin, { folder });
  const tenants = [`${label}-warm`, ...Array.from({ length: count }, (_, i) => `${label}-${i}`)];
  for (let i = 0; i < tenants.length; i += PAIR_IN_PARALLEL) {
    await Promise.all(
      tenants
        .slice(i, i + PAIR_IN_PARALLEL)
        .map((tenant, j) =>
          pairTenant(
            harness,
            standin,
            tenant,
            `1555${label === 'small' ? 1 : 2}${String(i + j).padStart(6, '0')}`,
          ),
        ),
    );
  }
  await harness.close();
  return folder;
}

async function measure(folder: string, label: string, tenants: number): Promise<WorkerReport> {
  const child = fork(fileURLToPath(new URL('./sessions-worker.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx'],
  });
  const job: WorkerJob = {
    folder,
    warmUp: `${label}-warm`,
    hostMap: standin.hostMap,
    ca: standin.caPem,
    tenants,
    idleMs: IDLE_MS,
  };
  child.send(job);
  const [report] = (await once(child, 'message')) as [WorkerReport];
  await once(child, 'exit');
  return report;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);

try {
  const reports: WorkerReport[] = [];
  for (const size of SIZES) {
    const label = size === 10 ? 'small' : 'large';
    reports.push(await measure(await pairedStore(size, label), label, size));
  }
  console.log(
    `sessions (Node ${process.version}; Baileys 7.0.0-rc14 through the tenant egress, direct, ` +
      `to the stand-in on loopback; SQLite store; every tenant started at once)`,
  );
  for (const r of reports) {
    const rss = (r.rssAfter - r.rssBefore) / r.tenants;
    const heap = (r.heapAfter - r.heapBefore) / r.tenants;
    console.log(
      `  ${String(r.tenants).padStart(3)} tenants: ` +
        `${mib(rss)} MiB resident per connected idle tenant ` +
        `(heap ${mib(heap)} MiB; worker ${mib(r.rssBefore)} → ${mib(r.rssAfter)} MiB); ` +
        `start-to-connected p50 ${percentile(r.startToConnected, 50).toFixed(0)} ms, ` +
        `p95 ${percentile(r.startToConnected, 95).toFixed(0)} ms; ` +
        `all connected ${r.allConnectedMs.toFixed(0)} ms after the leases were taken`,
    );
  }
  console.log(
    `  (memory: the worker's growth from one connected warm-up tenant to all of them, read ` +
      `after ${IDLE_MS} ms idle and a forced GC, divided ` +
      `by the measured tenants; MiB = 2^20 bytes)`,
  );
} finally {
  await standin.close();
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
}
