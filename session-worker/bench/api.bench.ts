/**
 * The API against the stand-in: request latency of the sessions list with
 * 100 connected tenants, and send-text throughput (each send answered after
 * WhatsApp's ack).
 *
 *   npm run bench -w session-worker -- api
 *
 * The worker runs as its own process (`src/main.ts`), the stand-in as
 * another; this process is only the client, so the figures hold the worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESSION_DEFAULTS } from '../src/session/index.js';
import { ApiClient } from '../test/api/support/client.js';
import { startStandinProcess } from '../test/api/support/standin-process.js';
import {
  TEST_ADMIN_KEY,
  WorkerProcess,
  workerEnv,
} from '../test/session/support/worker-process.js';

const TENANTS = 100;
const PAIR_IN_PARALLEL = 10;
const LIST_REQUESTS = 2_000;
const LIST_CONCURRENCY = [1, 8];
const SENDS = 400;
const SEND_CONCURRENCY = [1, 16];
const SETTLE_MS = 5_000;
/** Every phase is bounded; a stuck phase fails the run instead of hanging it. */
const PHASE_LIMIT_MS = 180_000;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

async function within<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} took over ${PHASE_LIMIT_MS} ms`)),
      PHASE_LIMIT_MS,
    );
  });
  try {
    return await Promise.race([work, limit]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `count` calls of `job`, `concurrency` at a time; returns each call's latency in ms. */
async function load(count: number, concurrency: number, job: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, seconds: (performance.now() - started) / 1_000 };
}

async function poll<T>(read: () => Promise<T | undefined>): Promise<T> {
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const standin = await startStandinProcess();
const folder = await mkdtemp(join(tmpdir(), 'pasarela-bench-api-'));
// Production timings (the tests' shortened keepalive would ping 100 tenants
// every two seconds), production log level.
const worker = new WorkerProcess({
  ...workerEnv(
    standin,
    { PASARELA_SQLITE_PATH: join(folder, 'worker.db') },
    { ...SESSION_DEFAULTS },
  ),
  PASARELA_LOG_LEVEL: 'info',
});
try {
  const ready = await worker.waitFor((l) => l.ev === 'ready', 30_000, 'ready');
  const admin = new ApiClient(`http://127.0.0.1:${String(ready['port'])}`, TEST_ADMIN_KEY);

  const pairOne = async (i: number) => {
    const tenant = `bench-${String(i).padStart(3, '0')}`;
    await admin.post('/api/baileys/sessions', { tenantId: tenant });
    const qr = await poll(async () => {
      const answer = await admin.get<{ qr: string }>(`/api/baileys/sessions/${tenant}/qr`);
      return answer.status === 200 ? answer.body.qr : undefined;
    });
    await standin.control.scanQr(qr, { phone: `1555030${String(i).padStart(4, '0')}` });
    await poll(async () => {
      const answer = await admin.get(`/api/baileys/sessions/${tenant}`);
      return answer.body['status'] === 'connected' ? true : undefined;
    });
  };
  const pairing = performance.now();
  await within('pairing', load(TENANTS, PAIR_IN_PARALLEL, pairOne));
  const pairedS = (performance.now() - pairing) / 1_000;

  // Let the last pairings' history and app-state syncs finish before measuring.
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const list = await admin.get<{ sessions: { status: string }[] }>('/api/baileys/sessions');
  const connected = list.body.sessions.filter((s) => s.status === 'connected').length;
  if (connected !== TENANTS) throw new Error(`only ${connected} of ${TENANTS} tenants connected`);
  // Warm-up: the first requests compile the routes' code paths.
  await load(200, 4, async () => void (await admin.get('/api/baileys/sessions')));
  const listRuns = [];
  for (const concurrency of LIST_CONCURRENCY) {
    listRuns.push({
      concurrency,
      ...(await within(
        'the list',
        load(LIST_REQUESTS, concurrency, async () => {
          const answer = await admin.get('/api/baileys/sessions');
          if (answer.status !== 200) throw new Error(`list answered ${answer.status}`);
        }),
      )),
    });
  }

  const key = await admin.post<{ key: string }>('/api/tenants/bench-000/keys', {});
  const tenant = admin.as(key.body.key);
  const contact = await standin.control.createContact({ name: 'Bench' });
  await tenant.post('/api/baileys/sessions/bench-000/messages/text', {
    to: contact.phone,
    text: 'warm-up',
  });
  const sendRuns = [];
  let sent = 1;
  for (const concurrency of SEND_CONCURRENCY) {
    const run = await within(
      'the sends',
      load(SENDS, concurrency, async (i) => {
        const answer = await tenant.post('/api/baileys/sessions/bench-000/messages/text', {
          to: contact.phone,
          text: `order ${concurrency}-${i}`,
        });
        if (answer.status !== 201) throw new Error(`send answered ${answer.status}`);
      }),
    );
    sent += SENDS;
    sendRuns.push({ concurrency, ...run });
  }
  // The same across ten tenants at once: each tenant's sends are written in
  // order on its own path, so tenants add up.
  const SPREAD = 10;
  const spread = await Promise.all(
    Array.from({ length: SPREAD }, async (_, t) => {
      const name = `bench-${String(t).padStart(3, '0')}`;
      const minted = await admin.post<{ key: string }>(`/api/tenants/${name}/keys`, {});
      return { name, client: admin.as(minted.body.key) };
    }),
  );
  const spreadRun = await within(
    'the spread sends',
    load(SENDS, SPREAD * 4, async (i) => {
      const { name, client } = spread[i % SPREAD]!;
      const answer = await client.post(`/api/baileys/sessions/${name}/messages/text`, {
        to: contact.phone,
        text: `spread ${i}`,
      });
      if (answer.status !== 201) throw new Error(`send answered ${answer.status}`);
    }),
  );
  sent += SENDS;
  const received = await within(
    'the deliveries',
    poll(async () => {
      const got = await standin.control.received(contact.phone);
      return got.length >= sent ? got.length : undefined;
    }),
  );

  console.log(
    `api (Node ${process.version}; worker process on SQLite, ${TENANTS} tenants paired and ` +
      `connected through their egress to the stand-in on loopback; client in another process)`,
  );
  console.log(
    `  pairing ${TENANTS} tenants through the API, ` +
      `${PAIR_IN_PARALLEL} at a time: ${pairedS.toFixed(1)} s`,
  );
  for (const run of listRuns) {
    console.log(
      `  GET /api/baileys/sessions (${TENANTS} tenants), ${run.concurrency} in flight: ` +
        `p50 ${percentile(run.latencies, 50).toFixed(2)} ms, ` +
        `p99 ${percentile(run.latencies, 99).toFixed(2)} ms, ` +
        `${(LIST_REQUESTS / run.seconds).toFixed(0)} requests/s over ${LIST_REQUESTS} requests`,
    );
  }
  for (const run of sendRuns) {
    console.log(
      `  POST .../messages/text, ${run.concurrency} in ` +
        `flight: ${(SENDS / run.seconds).toFixed(1)} ` +
        `messages/s, request to acked answer p50 ${percentile(run.latencies, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(run.latencies, 99).toFixed(1)} ms over ${SENDS} sends`,
    );
  }
  console.log(
    `  POST .../messages/text over ${SPREAD} tenants, ${SPREAD * 4} in flight: ` +
      `${(SENDS / spreadRun.seconds).toFixed(1)} messages/s, p50 ` +
      `${percentile(spreadRun.latencies, 50).toFixed(1)} ms, p99 ` +
      `${percentile(spreadRun.latencies, 99).toFixed(1)} ms over ${SENDS} sends`,
  );
  console.log(`  the contact decrypted ${received} of ${sent} messages sent (each once)`);
} finally {
  worker.signal('SIGTERM');
  await worker.exited;
  await standin.close();
  await rm(folder, { recursive: true, force: true });
}
