/**
 * The egress's direct route against plain fetch to the same local TLS
 * server: download throughput, per-request latency, and the memory an idle
 * egress costs when a worker holds 1,000 tenants.
 *
 *   npm run bench -w session-worker -- egress-direct
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent } from 'undici';
import type { Dispatcher } from 'undici';
import { createEgress, EgressAudit } from '../src/egress/index.js';
import type { TenantEgress } from '../src/egress/index.js';

const DOWNLOAD_BYTES = 16 * 1024 * 1024;
const DOWNLOADS = 12;
const LATENCY_REQUESTS = 1_000;
const LATENCY_BYTES = 1_024;
const TENANTS = 1_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const server = fork(fileURLToPath(new URL('./upstream-process.ts', import.meta.url)), {
  execArgv: ['--import', 'tsx'],
});
const [upstream] = (await once(server, 'message')) as [{ port: number; ca: string }];
const hostMap = { 'mmg.whatsapp.net': `127.0.0.1:${upstream.port}` };
const audit = new EgressAudit();
const egress = createEgress({
  tenant: 'bench',
  policy: 'direct',
  hostMap,
  ca: upstream.ca,
  production: false,
  audit,
});
const plain = new Agent({ connect: { ca: upstream.ca } });

const throughEgress = (path: string) => `https://mmg.whatsapp.net${path}`;
const plainUrl = (path: string) => `https://127.0.0.1:${upstream.port}${path}`;

async function fetchBytes(url: string, dispatcher: Dispatcher): Promise<number> {
  const response = await fetch(url, { dispatcher } as RequestInit);
  let length = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
    length += chunk.length;
  return length;
}

interface Path {
  readonly url: (path: string) => string;
  readonly dispatcher: Dispatcher;
}

/**
 * MiB/s of each path. Rounds alternate between the paths, so a change in
 * the machine's load during the run weighs on both alike.
 */
async function throughput(paths: Path[], path: string): Promise<number[]> {
  const seconds = paths.map(() => 0);
  const bytes = paths.map(() => 0);
  for (const each of paths) await fetchBytes(each.url(path), each.dispatcher);
  for (let round = 0; round < DOWNLOADS; round += 1) {
    for (const [index, each] of paths.entries()) {
      const started = performance.now();
      bytes[index]! += await fetchBytes(each.url(path), each.dispatcher);
      seconds[index]! += (performance.now() - started) / 1000;
    }
  }
  return bytes.map((total, index) => total / 2 ** 20 / seconds[index]!);
}

/** Sorted per-request times of each path, alternating as above. */
async function latencies(paths: Path[], path: string): Promise<number[][]> {
  const times: number[][] = paths.map(() => []);
  for (let i = 0; i < 50; i += 1) {
    for (const each of paths) await fetchBytes(each.url(path), each.dispatcher);
  }
  for (let i = 0; i < LATENCY_REQUESTS; i += 1) {
    for (const [index, each] of paths.entries()) {
      const started = performance.now();
      await fetchBytes(each.url(path), each.dispatcher);
      times[index]!.push(performance.now() - started);
    }
  }
  return times.map((list) => list.sort((a, b) => a - b));
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function heapUsed(): number {
  for (let i = 0; i < 3; i += 1) gc();
  return process.memoryUsage().heapUsed;
}

async function memoryPerEgress(): Promise<{ idle: number; afterOneRequest: number }> {
  const before = heapUsed();
  const egresses: TenantEgress[] = [];
  for (let i = 0; i < TENANTS; i += 1) {
    egresses.push(
      createEgress({
        tenant: `tenant-${i}`,
        policy: 'prefer-tunnel',
        hostMap,
        ca: upstream.ca,
        production: false,
        audit,
      }),
    );
  }
  const idle = (heapUsed() - before) / TENANTS;
  // Each one then downloads once and keeps its pooled connection idle.
  for (let i = 0; i < egresses.length; i += 50) {
    await Promise.all(
      egresses
        .slice(i, i + 50)
        .map((tenant) => fetchBytes(throughEgress('/blob/1024'), tenant.dispatcher)),
    );
  }
  const afterOneRequest = (heapUsed() - before) / TENANTS;
  await Promise.all(egresses.map((tenant) => tenant.close()));
  return { idle, afterOneRequest };
}

const paths: Path[] = [
  { url: throughEgress, dispatcher: egress.dispatcher },
  { url: plainUrl, dispatcher: plain },
];
const [egressRate, plainRate] = (await throughput(paths, `/blob/${DOWNLOAD_BYTES}`)) as [
  number,
  number,
];
const [egressTimes, plainTimes] = (await latencies(paths, `/blob/${LATENCY_BYTES}`)) as [
  number[],
  number[],
];
const memory = await memoryPerEgress();

const ms = (value: number) => `${value.toFixed(3)} ms`;
console.log(
  `egress-direct (Node ${process.version}, loopback TLS to a server process, keep-alive)`,
);
console.log(
  `  download ${DOWNLOADS} x ${DOWNLOAD_BYTES / 2 ** 20} ` +
    `MiB:  egress ${egressRate.toFixed(0)} MB/s` +
    `   plain fetch ${plainRate.toFixed(0)} MB/s   ` +
    `(${((egressRate / plainRate) * 100).toFixed(0)}%)`,
);
console.log(
  `  latency, ${LATENCY_REQUESTS} x GET ${LATENCY_BYTES} ` +
    `B:  egress p50 ${ms(percentile(egressTimes, 50))}` +
    ` p99 ${ms(percentile(egressTimes, 99))}   plain fetch p50 ${ms(percentile(plainTimes, 50))}` +
    ` p99 ${ms(percentile(plainTimes, 99))}`,
);
console.log(
  `  memory, ${TENANTS} tenants:  ${(memory.idle / 1024).toFixed(1)} KiB per idle egress,` +
    ` ${(memory.afterOneRequest / 1024).toFixed(1)} KiB once each holds one idle pooled connection`,
);
console.log('  (MB/s here is MiB per second)');

await egress.close();
await plain.close();
server.disconnect();
await once(server, 'exit');
