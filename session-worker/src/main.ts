/**
 * The session worker process: configuration from the environment, the
 * worker, and the signals a platform sends on deploys.
 *
 *   PASARELA_STORE=sqlite PASARELA_SQLITE_PATH=data/pasarela.db npm run start -w session-worker
 */
import pino from 'pino';
import { openControlChannel, type ControlChannel } from './service/control.js';
import { readWorkerEnv, type WorkerSettings } from './service/env.js';
import { startWorker, type Worker } from './service/worker.js';

/** Exit status for a configuration error (sysexits EX_CONFIG). */
const EXIT_CONFIG = 78;

/** Paths pino blanks in every line: creds, keys, QR strings, codes and tokens never reach logs. */
const REDACT = [
  'creds',
  'keys',
  'qr',
  'pairingCode',
  'token',
  'apiKey',
  'authorization',
  '*.creds',
  '*.keys',
  '*.qr',
  '*.pairingCode',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.privKey',
  '*.private',
];

let settings: WorkerSettings;
try {
  settings = readWorkerEnv(process.env);
} catch (error) {
  const { code, variable, setting, message } = error as {
    code?: string;
    variable?: string;
    setting?: string;
    message: string;
  };
  const named = variable ?? setting;
  process.stderr.write(
    `${JSON.stringify({ level: 60, time: Date.now(), code, variable: named, msg: message })}\n`,
  );
  process.exit(EXIT_CONFIG);
}

// Synchronous writes: the last lines before an exit are the ones an operator needs.
const logger = pino(
  { level: settings.logLevel, redact: { paths: REDACT, censor: '[redacted]' } },
  pino.destination({ fd: settings.control === 'stdio' ? 2 : 1, sync: true }),
);

process.on('unhandledRejection', (reason) => {
  // One tenant's stray promise must not take every other tenant down.
  const error = reason instanceof Error ? { name: reason.name, message: reason.message } : {};
  logger.error({ err: error }, 'unhandled rejection');
});

let worker: Worker;
try {
  worker = await startWorker(settings, logger);
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  logger.fatal({ code, err: { message } }, 'worker could not start');
  process.exit(1);
}

let control: ControlChannel | undefined;
if (settings.control === 'stdio') {
  control = openControlChannel(worker, process.stdin, process.stdout);
  control.send('ready', {
    replica: worker.replicaId,
    store: settings.store.kind,
    pid: process.pid,
  });
}

// Lease and reconnect timers are unref'd; the worker itself runs until it is told to stop.
const keepAlive = setInterval(() => undefined, 3_600_000);

let signalled = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (signalled) {
    logger.warn({ signal }, 'second signal: exiting at once');
    process.exit(1);
  }
  signalled = true;
  logger.info({ signal }, 'shutting down: flushing creds, closing sockets, releasing leases');
  control?.send('stopping', { signal });
  const started = performance.now();
  clearInterval(keepAlive);
  worker.shutdown().then(
    () => {
      const ms = Math.round(performance.now() - started);
      logger.info({ ms }, 'worker stopped');
      control?.send('stopped', { ms });
      control?.close();
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ err: { message: (error as Error).message } }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);
