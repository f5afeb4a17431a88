/**
 * The session worker process: configuration from the environment, the
 * service (sessions, API, events, metrics), and the signals a platform
 * sends on deploys.
 *
 *   PASARELA_ADMIN_KEY=... PASARELA_STORE=sqlite npm run start -w session-worker
 */
import { readServiceEnv, type ServiceSettings } from './config/index.js';
import { createLogger } from './ops/logger.js';
import { openControlChannel, type ControlChannel } from './service/control.js';
import { startService, type Service } from './service/service.js';

/** Exit status for a configuration error (sysexits EX_CONFIG). */
const EXIT_CONFIG = 78;

let settings: ServiceSettings;
try {
  settings = readServiceEnv(process.env);
} catch (error) {
  const { code, variable, setting, message } = error as {
    code?: string;
    variable?: string;
    setting?: string;
    message: string;
  };
  const named = variable ?? setting;
  // No logger yet: one JSON line in the logger's shape, naming the variable (never its value).
  process.stderr.write(
    `${JSON.stringify({ level: 60, time: Date.now(), code, variable: named, msg: message })}\n`,
  );
  process.exit(EXIT_CONFIG);
}

// Synchronous writes: the last lines before an exit are the ones an operator needs.
const logger = createLogger({
  level: settings.logLevel,
  secrets: settings.secrets,
  ...(settings.control === 'stdio'
    ? { destination: (await import('pino')).default.destination({ fd: 2, sync: true }) }
    : {}),
});

process.on('unhandledRejection', (reason) => {
  // One tenant's stray promise must not take every other tenant down.
  const error = reason instanceof Error ? { name: reason.name, message: reason.message } : {};
  logger.error({ err: error }, 'unhandled rejection');
});

let service: Service;
try {
  service = await startService(settings, logger, { captureConsole: true });
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  logger.fatal({ code, err: { message } }, 'worker could not start');
  process.exit(1);
}

// The control channel listens before the first session starts, so it sees every event.
let control: ControlChannel | undefined;
if (settings.control === 'stdio') {
  control = openControlChannel(service.worker, process.stdin, process.stdout);
}

try {
  await service.run();
} catch (error) {
  const { code, message } = error as { code?: string; message: string };
  logger.fatal({ code, err: { message } }, 'sessions could not start');
  await service.shutdown().catch(() => undefined);
  process.exit(1);
}
control?.send('ready', {
  replica: service.worker.replicaId,
  store: settings.store.kind,
  pid: process.pid,
  port: service.http.port,
});

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
  service.shutdown().then(
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
