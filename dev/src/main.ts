/**
 * `npm run dev`: the whole local stack with embedded defaults. See the
 * README's "Try it" section and `USAGE` in options.ts.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkPortsFree } from './ports.js';
import { DevOptionError, DEV_DEFAULTS, parseDevOptions, REPO_ROOT, USAGE } from './options.js';
import type { DevOptions } from './options.js';
import { buildPages, startBackend } from './parts/pages.js';
import { startRoom } from './parts/room.js';
import { pageHostMap, startStandin } from './parts/standin.js';
import { startWorker, workerEnv } from './parts/worker.js';
import { ProcessSet } from './processes.js';
import { createContact, mintAdminToken, provisionTenant } from './provision.js';
import { banner, eventLine, shown } from './report.js';
import { loadSecrets, tokenKeysJson } from './secrets.js';
import { followEvents } from './sse.js';
import { removeState, writeState } from './state.js';

/** Repeated signals this close to the first are one Ctrl-C (npm passes it on as well). */
const SAME_SIGNAL_MS = 2_000;
const EXIT_USAGE = 2;

const print = (line: string) => process.stdout.write(`${line}\n`);

let options: DevOptions;
try {
  const parsed = parseDevOptions(process.argv.slice(2));
  if (!parsed) {
    print(USAGE);
    process.exit(0);
  }
  options = parsed;
} catch (error) {
  if (!(error instanceof DevOptionError)) throw error;
  process.stderr.write(`npm run dev: ${error.message}\n${USAGE}\n`);
  process.exit(EXIT_USAGE);
}

const processes = new ProcessSet({ relay: options.verbose, print });
const events = new AbortController();
let firstSignalAt = 0;
let exitCode = 0;

async function shutdown(code: number, why: string): Promise<never> {
  if (!processes.stopping) {
    exitCode = code;
    events.abort();
    print(`\n${why}: stopping the stack...`);
    const started = Date.now();
    await processes.stopAll(DEV_DEFAULTS.stopGraceMs);
    await removeState(options.dataDir).catch(() => undefined);
    print(`Stopped in ${Date.now() - started} ms. Data kept in ${shown(options.dataDir)}.`);
    process.exit(exitCode);
  }
  return new Promise<never>(() => undefined);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      void shutdown(0, signal === 'SIGINT' ? 'Ctrl-C' : signal);
    } else if (now - firstSignalAt > SAME_SIGNAL_MS) {
      print('Second Ctrl-C: killing every process of the stack now.');
      processes.killAll();
      process.exit(1);
    }
  });
}

async function main(): Promise<void> {
  const started = Date.now();
  const logDir = join(options.dataDir, 'logs');
  await mkdir(logDir, { recursive: true, mode: 0o700 });
  await checkPortsFree([
    { flag: '--room-port', port: options.roomPort, what: `the room (${options.runtime} dev)` },
    { flag: '--worker-port', port: options.workerPort, what: "the worker's API" },
    { flag: '--pages-port', port: options.pagesPort, what: 'the pages' },
  ]);
  const { secrets: kept, made } = await loadSecrets(options.dataDir);
  print(
    `Starting the local stack in ${shown(REPO_ROOT) || '.'} ` +
      `(${made ? 'new secrets made' : 'secrets reused'} in ${shown(options.dataDir)}; ` +
      `logs in ${shown(logDir)})...`,
  );
  const [standin, room, pages] = await Promise.all([
    startStandin(processes, logDir),
    startRoom(processes, options, tokenKeysJson(kept)),
    buildPages(processes, options),
  ]);
  print(
    `  stand-in up; room up in ${(room.startMs / 1000).toFixed(1)} s; pages ` +
      (pages.built ? `built in ${(pages.ms / 1000).toFixed(1)} s` : 'already built'),
  );
  const worker = await startWorker(
    processes,
    options,
    workerEnv(options, kept, standin.info, room.url),
  );
  print(`  worker up in ${(worker.startMs / 1000).toFixed(1)} s`);
  const { secrets, tenantKey, session } = await provisionTenant({
    workerUrl: worker.url,
    dataDir: options.dataDir,
    secrets: kept,
    tenant: options.tenant,
  });
  const contact = await createContact(standin.info.controlUrl, DEV_DEFAULTS.contactName);
  const admin = await mintAdminToken(
    worker.url,
    secrets.adminKey,
    DEV_DEFAULTS.adminTokenTtlSeconds,
  );
  const backend = await startBackend(processes, options, {
    tenant: options.tenant,
    restaurant: DEV_DEFAULTS.restaurant,
    tenantKey,
    workerUrl: worker.url,
    roomUrl: room.url,
    devHostMap: pageHostMap(standin.info),
  });
  await writeState(options.dataDir, {
    pid: process.pid,
    startedAt: new Date(started).toISOString(),
    runtime: options.runtime,
    tenant: options.tenant,
    workerUrl: worker.url,
    roomUrl: room.url,
    pagesUrl: backend.url,
    standinControlUrl: standin.info.controlUrl,
    contact,
  });
  for (const line of banner({
    options,
    upMs: Date.now() - started,
    pagesUrl: backend.url,
    roomUrl: room.url,
    workerUrl: worker.url,
    adminToken: admin.token,
    adminTokenHours: Math.round(DEV_DEFAULTS.adminTokenTtlSeconds / 3600),
    contact,
    sessionStatus: session.status,
  })) {
    print(line);
  }
  void followEvents(
    {
      workerUrl: worker.url,
      key: secrets.adminKey,
      tenant: options.tenant,
      signal: events.signal,
    },
    (event) => {
      const line = eventLine(event);
      if (line) print(line);
    },
  ).catch(() => undefined);
  const exit = await processes.firstExit();
  if (!processes.stopping) {
    const child = processes.children.find((c) => c.spec.name === exit.name);
    print(`\n${exit.name} exited (${exit.signal ?? exit.code}); its last lines:`);
    print(child?.tail() ?? '');
    await shutdown(1, `${exit.name} stopped`);
  }
}

main().catch(async (error: unknown) => {
  if (processes.stopping) return;
  print(`\nnpm run dev could not start the stack: ${(error as Error).message}`);
  await shutdown(1, 'Start-up failed');
});
