import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SESSION_SETTINGS } from '../session/support/harness.js';
import { TEST_ADMIN_KEY, WorkerProcess, workerEnv } from '../session/support/worker-process.js';
import { ApiClient } from './support/client.js';
import { startStandinProcess, type StandinProcess } from './support/standin-process.js';

/** Starting a worker process: tsx compiles the entry, then the store opens. */
const START_MS = 30_000;

let standin: StandinProcess;
let folder: string;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  standin = await startStandinProcess();
  folder = await mkdtemp(join(tmpdir(), 'pasarela-api-process-'));
});

afterAll(async () => {
  for (const worker of workers) await worker.kill();
  await standin?.close();
  await rm(folder, { recursive: true, force: true });
});

describe('the worker process', () => {
  it('serves the API on the configured port, and stops cleanly on SIGTERM', async () => {
    const worker = new WorkerProcess(
      workerEnv(standin, { PASARELA_SQLITE_PATH: join(folder, 'w.db') }),
    );
    workers.push(worker);
    const ready = await worker.waitFor((l) => l.ev === 'ready', START_MS, 'ready');
    const api = new ApiClient(`http://127.0.0.1:${String(ready['port'])}`, TEST_ADMIN_KEY);
    expect((await api.get('/healthz', { key: null })).status).toBe(200);
    expect((await api.get('/readyz', { key: null })).body).toMatchObject({ ready: true });
    const created = await api.post('/api/baileys/sessions', { tenantId: 'proceso-uno' });
    expect(created.status).toBe(201);
    await worker.reach('proceso-uno', 'qr', TEST_SESSION_SETTINGS.connectTimeoutMs * 2);
    worker.signal('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const stopped = worker.lines.find((l) => l.ev === 'stopped');
    expect(stopped).toBeDefined();
    process.stdout.write(`worker stopped in ${String(stopped?.['ms'])} ms after SIGTERM\n`);
  });

  it('refuses to start without an admin key, naming the variable, with status 78', async () => {
    const env = workerEnv(standin, { PASARELA_SQLITE_PATH: join(folder, 'x.db') });
    const worker = new WorkerProcess({ ...env, PASARELA_ADMIN_KEY: '' });
    workers.push(worker);
    expect(await worker.exited).toEqual({ code: 78, signal: null });
    const line = JSON.parse(worker.logs.at(-1) ?? '{}') as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 60,
      code: 'config_invalid',
      variable: 'PASARELA_ADMIN_KEY',
    });
  });
});
